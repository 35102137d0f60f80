// The example values the API description shows: one user, one token pair, one message, one session.

export const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjBtd3E4MWxqMiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiJOUmd2REhaV2JhU1g4S1Z1aE5mSkFRIn0.c2lnbmF0dXJl';
export const REFRESH = 'YXJpbmRhbTM2OQ.NRgvDHZWbaSX8KVuhNfJAQ.OghQunQHJoO5ivHLzqyeALOS0HYhKW6Lq2WxLbcOEIg';
export const SESSION_ID = 'NRgvDHZWbaSX8KVuhNfJAQ';
export const USER = { username: 'arindam369', name: 'Arindam Halder' };
export const PASSWORD = 'a long and unusual passphrase';
export const EMAIL = 'arindam@example.com';
export const PROFILE = { ...USER, email: EMAIL, createdAt: '2026-11-21T09:44:36.803Z', emailVerified: true };
/** The token of a link in mail: base64url(username), the purpose (v, c or r), a 256-bit secret. */
export const VERIFY_LINK_TOKEN = 'YXJpbmRhbTM2OQ.v.5oZ2v1QJx0mWcR8kq3yT7nLbHdE4sUaPfGiVjXwK9Ao';
export const RESET_LINK_TOKEN = 'YXJpbmRhbTM2OQ.r.Xk3Jd8sPq2VbLmN7cR4tYw9ZfHgE1uAoKiTnWvS6Beo';
export const PAIR = { tokenType: 'Bearer', expiresIn: 3600, refreshToken: REFRESH };
export const MESSAGE = { id: 'Qm9hcmQxMjM0NTY', author: 'arindam369', text: 'Hello, board!', createdAt: '2026-11-21T10:00:00.000Z' };
export const SESSION = { id: SESSION_ID, createdAt: PROFILE.createdAt, lastUsedAt: PROFILE.createdAt, userAgent: 'curl/8.5.0', current: true };
