import type * as z from 'zod/mini';
import { errorAnswer as error, UNAUTHENTICATED } from './openapi-answers';
import { emailOperations } from './openapi-email-operations';
import { MESSAGE, MFA_TOKEN, PAIR, PASSWORD, PROFILE, RECOVERY_CODES, REFRESH, SESSION, SESSION_ID, TOKEN, TOTP_SETUP, USER } from './openapi-examples';
import { PASSKEY_OPERATIONS } from './passkey-operations';
import * as res from './responses';
import { currentPasswordBody, loginBody, messageBody, mfaLoginBody, passwordBody, refreshBody, registerBody, tokenBody, totpCodeBody } from './schemas';

type Schema = z.ZodMiniType;

export interface Answer {
  readonly description: string;
  readonly schema: Schema;
  readonly example?: unknown;
  /** The name of a shared answer (`components/responses`) that operations refer to. */
  readonly component?: string;
}

export interface Operation {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly summary: string;
  readonly tag: 'Accounts' | 'Tokens' | 'Sessions' | 'Second factor' | 'Passkeys' | 'Email' | 'Messages' | 'Service';
  /**
   * `required`: a bearer token or the session cookie. `optional`: neither is needed (the token may
   * come in the body instead, or the answer says nobody is logged in). Absent: public.
   */
  readonly auth?: 'required' | 'optional';
  readonly body?: { readonly schema: Schema; readonly example: unknown };
  /** An example value for each path parameter (`:id`). */
  readonly params?: Readonly<Record<string, string>>;
  readonly responses: Readonly<Record<string, Answer>>;
}

/** Every operation, described once: the document below and the tests both read it. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'POST',
    path: '/register',
    tag: 'Accounts',
    summary: 'Create an account',
    body: { schema: registerBody, example: { ...USER, password: PASSWORD } },
    responses: {
      201: { description: 'Created', schema: res.registered, example: { message: 'User registered successfully', user: USER } },
      400: error('A field is missing or invalid; `field` names it', 'password must be at least 8 characters', 'weak_password'),
      409: error('The username (or email) is taken', 'User already exists', 'user_exists'),
      429: error('Too many registrations from this client', 'Too many attempts; try again in 600 seconds', 'rate_limited'),
    },
  },
  {
    method: 'POST',
    path: '/login',
    tag: 'Accounts',
    summary: 'Log in: an access token, a refresh token and the session cookie (or, with a second factor on, the next step)',
    body: { schema: loginBody, example: { username: USER.username, password: PASSWORD } },
    responses: {
      200: {
        description: 'Logged in; or, for a user with two-step verification on, `mfaRequired` with an `mfaToken` for POST /login/mfa (no token, no cookie)',
        schema: res.loginAnswer,
        example: { message: 'User logged in successfully', response: { ...USER, token: TOKEN }, ...PAIR },
      },
      401: error('Unknown user, wrong password or locked account: always the same answer', 'Wrong username or password', 'invalid_credentials'),
      429: error('Too many failures for this account from this client, or too many attempts', 'Too many attempts; try again in 30 seconds', 'rate_limited'),
    },
  },
  {
    method: 'POST',
    path: '/login/mfa',
    tag: 'Accounts',
    summary: 'The second step of a login: a code from the authenticator app, or a recovery code',
    body: { schema: mfaLoginBody, example: { mfaToken: MFA_TOKEN, code: '123456' } },
    responses: {
      200: {
        description: 'Logged in',
        schema: res.loggedIn,
        example: { message: 'User logged in successfully', response: { ...USER, token: TOKEN }, ...PAIR },
      },
      400: error('The code is not 6 digits, or the recovery code not of its shape', 'code must be 6 digits', 'invalid_field'),
      401: error('A wrong code (each token allows 5 tries), or a token that expired or was used up', 'Wrong code', 'invalid_mfa_code'),
      429: error('Too many attempts', 'Too many attempts; try again in 30 seconds', 'rate_limited'),
    },
  },
  {
    method: 'POST',
    path: '/verify',
    tag: 'Tokens',
    summary: 'Check a token (body, bearer or cookie) and its session',
    auth: 'optional',
    body: { schema: tokenBody, example: { username: 'arindam369', token: TOKEN } },
    responses: {
      200: { description: 'Valid', schema: res.verified, example: { verified: true, message: 'success', username: 'arindam369', amr: ['pwd'], token: TOKEN } },
      401: {
        ...error('Invalid, expired, or its session has ended', 'User is not authenticated', 'session_revoked'),
        example: { verified: false, message: 'User is not authenticated', code: 'session_revoked' },
      },
    },
  },
  {
    method: 'POST',
    path: '/logout',
    tag: 'Tokens',
    summary: "End the token's session (body, bearer or cookie) and clear the cookie",
    auth: 'optional',
    body: { schema: tokenBody, example: { username: 'arindam369', token: TOKEN } },
    responses: {
      200: { description: 'Logged out', schema: res.done, example: { message: 'Logged out successfully' } },
      401: error('Not a valid token', 'User is not authenticated', 'not_authenticated'),
    },
  },
  {
    method: 'GET',
    path: '/user/myprofile',
    tag: 'Accounts',
    summary: "The caller's profile",
    auth: 'required',
    responses: { 200: { description: 'The profile', schema: res.profile, example: PROFILE } },
  },
  {
    method: 'POST',
    path: '/token/refresh',
    tag: 'Tokens',
    summary: 'Rotate a refresh token: a new access and refresh token',
    body: { schema: refreshBody, example: { refreshToken: REFRESH } },
    responses: {
      200: {
        description: 'Rotated (a retry within the grace period gets the same pair)',
        schema: res.refreshed,
        example: { message: 'Token refreshed', response: { username: 'arindam369', token: TOKEN }, ...PAIR },
      },
      401: error(
        'Unknown, expired, or already used (which ends the session)',
        'Refresh token already used; the session has been ended',
        'refresh_token_reused',
      ),
    },
  },
  {
    method: 'POST',
    path: '/logout/all',
    tag: 'Sessions',
    summary: 'End every session of the caller',
    auth: 'required',
    responses: { 200: { description: 'Ended', schema: res.ended, example: { message: 'Logged out of every session', ended: 3 } } },
  },
  {
    method: 'POST',
    path: '/password',
    tag: 'Accounts',
    summary: 'Change the password; every other session ends',
    auth: 'required',
    body: { schema: passwordBody, example: { currentPassword: PASSWORD, newPassword: 'an even longer new passphrase' } },
    responses: {
      200: { description: 'Changed', schema: res.ended, example: { message: 'Password changed; every other session has been ended', ended: 2 } },
      403: error('The current password is wrong', 'Current password is wrong', 'wrong_password'),
    },
  },
  {
    method: 'GET',
    path: '/session',
    tag: 'Sessions',
    summary: 'Who is logged in: the user of a valid bearer token or cookie, or nobody (never a 401)',
    auth: 'optional',
    responses: {
      200: {
        description: 'The session\'s user, or `{"authenticated": false}` for no token or one no longer valid (a dead cookie is cleared)',
        schema: res.sessionStatus,
        example: { authenticated: true, user: PROFILE },
      },
    },
  },
  {
    method: 'GET',
    path: '/sessions',
    tag: 'Sessions',
    summary: "The caller's sessions",
    auth: 'required',
    responses: {
      200: {
        description: 'Sessions',
        schema: res.sessionList,
        example: { sessions: [SESSION] },
      },
    },
  },
  {
    method: 'DELETE',
    path: '/sessions/:id',
    tag: 'Sessions',
    summary: "End one of the caller's sessions",
    auth: 'required',
    params: { id: SESSION_ID },
    responses: {
      200: { description: 'Ended', schema: res.done, example: { message: 'Session ended' } },
      404: error('No such session of the caller', 'Session not found', 'not_found'),
    },
  },
  ...emailOperations(),
  {
    method: 'POST',
    path: '/mfa/totp/setup',
    tag: 'Second factor',
    summary: 'Start two-step verification: a new TOTP secret for an authenticator app (pending until confirmed)',
    auth: 'required',
    body: { schema: currentPasswordBody, example: { currentPassword: PASSWORD } },
    responses: {
      200: { description: 'The secret, and an otpauth:// URL to show as a QR code', schema: res.totpSetup, example: TOTP_SETUP },
      403: error('The current password is wrong', 'Current password is wrong', 'wrong_password'),
      409: error('Two-step verification is already on', 'Two-step verification is already on', 'mfa_already_enabled'),
    },
  },
  {
    method: 'POST',
    path: '/mfa/totp/confirm',
    tag: 'Second factor',
    summary: 'Confirm the pending secret with a code from the app: two-step verification is on; the 10 recovery codes are shown this once',
    auth: 'required',
    body: { schema: totpCodeBody, example: { code: '123456' } },
    responses: {
      200: { description: 'On; keep the recovery codes somewhere safe', schema: res.recoveryCodes, example: { recoveryCodes: RECOVERY_CODES } },
      400: error('Not the code the app shows now', 'That code is not the one your app shows now; try the next one', 'wrong_mfa_code'),
      409: error('No setup to confirm, or already on', 'Start the setup first: there is no pending secret to confirm', 'mfa_setup_missing'),
    },
  },
  {
    method: 'POST',
    path: '/mfa/recovery-codes',
    tag: 'Second factor',
    summary: 'A new set of 10 recovery codes; the old set stops working',
    auth: 'required',
    body: { schema: currentPasswordBody, example: { currentPassword: PASSWORD } },
    responses: {
      200: { description: 'The new codes, shown this once', schema: res.recoveryCodes, example: { recoveryCodes: RECOVERY_CODES } },
      403: error('The current password is wrong', 'Current password is wrong', 'wrong_password'),
      409: error('Two-step verification is not on', 'Two-step verification is not on', 'mfa_not_enabled'),
    },
  },
  {
    method: 'DELETE',
    path: '/mfa/totp',
    tag: 'Second factor',
    summary: 'Turn two-step verification off; the recovery codes stop working',
    auth: 'required',
    body: { schema: currentPasswordBody, example: { currentPassword: PASSWORD } },
    responses: {
      200: { description: 'Off', schema: res.done, example: { message: 'Two-step verification is off; its recovery codes no longer work' } },
      403: error('The current password is wrong', 'Current password is wrong', 'wrong_password'),
      409: error('Two-step verification is not on', 'Two-step verification is not on', 'mfa_not_enabled'),
    },
  },
  {
    method: 'GET',
    path: '/messages',
    tag: 'Messages',
    summary: 'The 20 latest messages, newest first',
    responses: { 200: { description: 'Messages', schema: res.messageList, example: { messages: [MESSAGE] } } },
  },
  {
    method: 'POST',
    path: '/messages',
    tag: 'Messages',
    summary: "Post a message as the token's user",
    auth: 'required',
    body: { schema: messageBody, example: { text: 'Hello, board!' } },
    responses: { 201: { description: 'Posted', schema: res.messagePosted, example: { message: 'Message posted', item: MESSAGE } } },
  },
  {
    method: 'GET',
    path: '/health',
    tag: 'Service',
    summary: 'Whether the store answers',
    responses: {
      200: { description: 'Up', schema: res.health, example: { status: 'ok' } },
      503: {
        description: 'The store does not answer',
        schema: res.healthDown,
        example: { status: 'unavailable', message: 'Service temporarily unavailable, try again', code: 'store_unavailable' },
      },
    },
  },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    tag: 'Service',
    summary: 'Public keys of the access tokens (RS256)',
    responses: {
      200: {
        description: 'JSON Web Key Set',
        schema: res.jwks,
        example: { keys: [{ kty: 'RSA', kid: '0mwq81lj2epZZEiXC', alg: 'RS256', use: 'sig', n: 'sXch…', e: 'AQAB' }] },
      },
    },
  },
  {
    method: 'GET',
    path: '/.well-known/openid-configuration',
    tag: 'Service',
    summary: 'Discovery: issuer and JWKS location',
    responses: { 200: { description: 'Discovery document', schema: res.discovery } },
  },
  ...PASSKEY_OPERATIONS,
];

/** Answers every operation may give besides its own: the shared error shape. */
const COMMON: Readonly<Record<string, Answer>> = {
  '4XX': {
    description: 'Refused: `{message, code}` (400 invalid input, with `field` naming it; 413 over 16 KiB; 429 too many attempts…)',
    schema: res.errorResponse,
    component: 'Refused',
  },
  '5XX': { description: 'The store does not answer (503 `store_unavailable`) or an internal error', schema: res.errorResponse, component: 'ServerError' },
};

export function answersOf(operation: Operation): Readonly<Record<string, Answer>> {
  // Every operation that needs a token answers a request without one alike: described once.
  return { ...COMMON, ...(operation.auth === 'required' ? { 401: UNAUTHENTICATED } : {}), ...operation.responses };
}
