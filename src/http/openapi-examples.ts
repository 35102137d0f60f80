// The example values the API description shows: one user, one token pair, one message, one session.

export const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjBtd3E4MWxqMiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiJOUmd2REhaV2JhU1g4S1Z1aE5mSkFRIn0.c2lnbmF0dXJl';
export const REFRESH = 'YXJpbmRhbTM2OQ.NRgvDHZWbaSX8KVuhNfJAQ.OghQunQHJoO5ivHLzqyeALOS0HYhKW6Lq2WxLbcOEIg';
export const SESSION_ID = 'NRgvDHZWbaSX8KVuhNfJAQ';
export const USER = { username: 'arindam369', name: 'Arindam Halder' };
export const PASSWORD = 'a long and unusual passphrase';
export const PROFILE = { ...USER, createdAt: '2026-11-21T09:44:36.803Z', amr: ['pwd'] };
export const PAIR = { tokenType: 'Bearer', expiresIn: 3600, refreshToken: REFRESH };
export const MESSAGE = { id: 'Qm9hcmQxMjM0NTY', author: 'arindam369', text: 'Hello, board!', createdAt: '2026-11-21T10:00:00.000Z' };
export const SESSION = { id: SESSION_ID, createdAt: PROFILE.createdAt, lastUsedAt: PROFILE.createdAt, userAgent: 'curl/8.5.0', current: true };
