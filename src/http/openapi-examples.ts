// The example values the API description shows: one user, one token pair, one message, one session.

export const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjBtd3E4MWxqMiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiJOUmd2REhaV2JhU1g4S1Z1aE5mSkFRIn0.c2lnbmF0dXJl';
export const REFRESH = 'YXJpbmRhbTM2OQ.NRgvDHZWbaSX8KVuhNfJAQ.OghQunQHJoO5ivHLzqyeALOS0HYhKW6Lq2WxLbcOEIg';
export const SESSION_ID = 'NRgvDHZWbaSX8KVuhNfJAQ';
export const USER = { username: 'arindam369', name: 'Arindam Halder' };
export const PASSWORD = 'a long and unusual passphrase';
export const EMAIL = 'arindam@example.com';
export const PROFILE = {
  ...USER,
  email: EMAIL,
  createdAt: '2026-11-21T09:44:36.803Z',
  emailVerified: true,
  amr: ['pwd'],
  mfa: { totp: false, recoveryCodesLeft: 0 },
};
/** The token of a link in mail: base64url(username), the purpose (v, c or r), a 256-bit secret. */
export const VERIFY_LINK_TOKEN = 'YXJpbmRhbTM2OQ.v.5oZ2v1QJx0mWcR8kq3yT7nLbHdE4sUaPfGiVjXwK9Ao';
export const RESET_LINK_TOKEN = 'YXJpbmRhbTM2OQ.r.Xk3Jd8sPq2VbLmN7cR4tYw9ZfHgE1uAoKiTnWvS6Beo';
export const PAIR = { tokenType: 'Bearer', expiresIn: 3600, refreshToken: REFRESH };
export const MESSAGE = { id: 'Qm9hcmQxMjM0NTY', author: 'arindam369', text: 'Hello, board!', createdAt: '2026-11-21T10:00:00.000Z' };
export const SESSION = { id: SESSION_ID, createdAt: PROFILE.createdAt, lastUsedAt: PROFILE.createdAt, userAgent: 'curl/8.5.0', current: true };
export const MFA_TOKEN = 'k3Wq0mVd8Jx2Lr5Tn9Pb4Hs7Yc1Fg6Ae0Zu3Qi8Ow2E';
export const TOTP_SETUP = {
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  otpauthUrl: 'otpauth://totp/Gatehouse:arindam369?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30',
};
export const RECOVERY_CODES = [
  '7x2kq-9fmtd',
  'a4hvn-3pw8z',
  'q0r6e-k2mjy',
  'c8tzb-5ndw1',
  'm3gqx-v7k0r',
  'w9e4p-2hcjt',
  'f6yd0-r8nqk',
  'n1bma-4zx7e',
  'h5kwc-0tp3v',
  'z2jrs-6gym9',
];
