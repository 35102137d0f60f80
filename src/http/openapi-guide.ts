import { ERRORS } from './errors';
import type { Operation } from './openapi-operations';

/**
 * What a 401 `code` means, and what to do about it. Every code the error table answers with 401
 * has a line here (a test holds them together), so the guide cannot fall behind the API.
 */
export const UNAUTHORIZED_CODES: Readonly<Record<string, string>> = {
  invalid_credentials: 'POST /login: unknown user, wrong password or locked account (always the same answer).',
  missing_token: 'no token was sent: log in, then send it as a bearer token or let the browser send the cookie.',
  invalid_token: 'the token is not one of ours (malformed, bad signature, wrong issuer or audience): log in again.',
  token_expired: 'the access token has expired: get a new one from POST /token/refresh with the refresh token.',
  username_mismatch: 'POST /verify: the token belongs to another user than the `username` sent with it.',
  session_revoked: 'the token is genuine but its session has ended (logout, logout everywhere, a password change): log in again.',
  not_authenticated: 'POST /logout: nobody to log out, the token is not valid.',
  invalid_refresh_token: 'POST /token/refresh: the refresh token is unknown or expired: log in again.',
  refresh_token_reused: 'POST /token/refresh: that refresh token was already used, so its session has been ended: log in again.',
  invalid_mfa_code: 'POST /login/mfa: a wrong code from the app, or a wrong or spent recovery code; the same mfaToken allows 5 tries.',
  invalid_mfa_token: 'POST /login/mfa: the mfaToken expired (5 minutes), was used up, or the password changed meanwhile: log in again.',
  invalid_passkey:
    'POST /passkeys/login: the passkey is not registered (or not to the username given), its signature, origin or challenge is wrong, the challenge expired or was used, or its counter went backwards: ask for new options and try again.',
};

/**
 * The document's `info.description`: what the API is, then how to authenticate. A small Markdown
 * subset (`##` headings, numbered and bulleted lists, `code`) that the docs page renders, as any
 * other OpenAPI viewer would.
 */
export function guide(cookieName: string): string {
  const codes = Object.entries(ERRORS)
    .filter(([, entry]) => entry.status === 401)
    .map(([code]) => `- \`${code}\`: ${UNAUTHORIZED_CODES[code] ?? ERRORS[code as keyof typeof ERRORS].message}`);
  return [
    'Username/password authentication: register, log in, verify, log out, refresh, sessions, email confirmation and password reset, and the message board. ' +
      'Every answer is JSON; every refusal is `{"message", "code"}` with a stable `code`.',
    '## How to authenticate',
    [
      '1. Create an account with `POST /register`, then `POST /login`. Its answer holds the access token (`response.token`, valid for `expiresIn` seconds) and a `refreshToken`.',
      '2. From a script or a server, send the access token on each protected operation (marked "token required") as `Authorization: Bearer <token>`. The examples read it from `$TOKEN`.',
      `3. In a browser on this origin, \`POST /login\` also sets the HttpOnly cookie \`${cookieName}\`, and the browser sends it along: a page needs no header and never sees the token. A write sent with the cookie must come from a page of this origin or a configured one (its \`Origin\` header says so). \`GET /session\` tells a page who is logged in, without a 401 when nobody is.`,
      '4. Before the access token expires, `POST /token/refresh` with the refresh token: a new access token and a new refresh token. Each refresh token works once.',
      '5. `POST /logout` ends the session at once (and clears the cookie); `POST /logout/all` ends every session of the user.',
      '6. A forgotten password: `POST /password/forgot` (always the same answer), then `POST /password/reset` with the token of the mailed link (`#reset=…` in its URL fragment); it ends every session, and the person logs in again. Links in mail to confirm an address carry `#verify=…`, for `POST /email/verify`.',
    ].join('\n'),
    'A 401 answer says why in its `code`:',
    codes.join('\n'),
  ].join('\n\n');
}

/** A shell word that stays exactly as written: single quotes, with `'` spelled `'\''`. */
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The curl command for an operation, ready to paste: its method, URL, headers and example body. */
export function curlCommand(issuer: string, op: Operation): string {
  const path = op.path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(op.params?.[name] ?? name));
  const parts = [`curl${op.method === 'GET' ? '' : ` -X ${op.method}`} ${quote(issuer + path)}`];
  if (op.auth === 'required') parts.push('-H "Authorization: Bearer $TOKEN"');
  if (op.body) parts.push(`-H ${quote('Content-Type: application/json')}`, `-d ${quote(JSON.stringify(op.body.example))}`);
  return parts.join(' \\\n  ');
}
