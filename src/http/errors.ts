import type { Context } from 'hono';
import { AuthError, type ErrorCode } from '../core/errors';
import { KeyServiceUnavailableError } from '../core/key-vault';
import { MailUnavailableError } from '../core/mail';
import { StoreMisconfiguredError, StoreUnavailableError } from '../store/store';

type Status = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 429 | 500 | 503;

/** The one table from error code to HTTP status and default message. */
export const ERRORS: Record<ErrorCode, { status: Status; message: string }> = {
  invalid_json: { status: 400, message: 'Request body must be a JSON object' },
  missing_field: { status: 400, message: 'Missing required fields' },
  invalid_field: { status: 400, message: 'Invalid field' },
  weak_password: { status: 400, message: 'Password does not meet the policy' },
  user_exists: { status: 409, message: 'User already exists' },
  invalid_credentials: { status: 401, message: 'Wrong username or password' },
  missing_token: { status: 401, message: 'User is not authenticated' },
  invalid_token: { status: 401, message: 'Invalid Token' },
  token_expired: { status: 401, message: 'Token expired' },
  username_mismatch: { status: 401, message: 'Invalid User' },
  session_revoked: { status: 401, message: 'User is not authenticated' },
  not_authenticated: { status: 401, message: 'User is not authenticated' },
  invalid_refresh_token: { status: 401, message: 'Invalid refresh token' },
  refresh_token_reused: { status: 401, message: 'Refresh token already used; the session has been ended' },
  wrong_password: { status: 403, message: 'Current password is wrong' },
  conflict: { status: 409, message: 'The record changed meanwhile; try again' },
  forbidden_origin: { status: 403, message: 'Origin not allowed for cookie-authenticated requests' },
  rate_limited: { status: 429, message: 'Too many requests' },
  payload_too_large: { status: 413, message: 'Request body too large (limit 16 KiB)' },
  not_found: { status: 404, message: 'Not found' },
  method_not_allowed: { status: 405, message: 'Method not allowed' },
  store_unavailable: { status: 503, message: 'Service temporarily unavailable, try again' },
  store_misconfigured: { status: 503, message: 'Service unavailable: its store is not configured correctly' },
  invalid_mfa_code: { status: 401, message: 'Wrong code' },
  invalid_mfa_token: { status: 401, message: 'The sign-in step has expired or is not valid; log in again' },
  wrong_mfa_code: { status: 400, message: 'That code is not the one your app shows now; try the next one' },
  mfa_already_enabled: { status: 409, message: 'Two-step verification is already on' },
  mfa_not_enabled: { status: 409, message: 'Two-step verification is not on' },
  mfa_setup_missing: { status: 409, message: 'Start the setup first: there is no pending secret to confirm' },
  key_service_unavailable: { status: 503, message: 'Service temporarily unavailable: its key service does not answer, try again' },
  internal_error: { status: 500, message: 'Internal server error' },
  invalid_email_token: { status: 400, message: 'This link is not valid: it has expired, was already used, or was changed on its way' },
  invalid_reset_token: { status: 400, message: 'This reset link is not valid: it has expired, was already used, or was changed on its way' },
  email_taken: { status: 409, message: 'That email address belongs to another account' },
  no_email: { status: 409, message: 'This account has no email address' },
  email_already_verified: { status: 409, message: 'This email address is already verified' },
  mail_unavailable: { status: 503, message: 'Mail cannot be sent right now; nothing was changed, try again later' },
  invalid_passkey: { status: 401, message: 'That passkey was not accepted' },
  passkey_not_verified: { status: 400, message: 'The passkey could not be verified; start again' },
  passkey_exists: { status: 409, message: 'That passkey is already registered' },
  passkey_limit: { status: 409, message: 'This account has as many passkeys as it may hold; remove one first' },
  login_too_old: { status: 403, message: 'Log in again to add a passkey: it needs a login from the last 10 minutes' },
};

export interface ErrorBody {
  message: string;
  code: ErrorCode;
  field?: string;
  verified?: false;
}

export function errorBody(code: ErrorCode, message?: string, field?: string): { status: Status; body: ErrorBody } {
  const entry = ERRORS[code];
  return { status: entry.status, body: { message: message ?? entry.message, code, ...(field ? { field } : {}) } };
}

/** Answers an error in the shape every route shares; /verify adds `verified: false`. */
export function sendError(c: Context, code: ErrorCode, message?: string, field?: string, retryAfter?: number): Response {
  const { status, body } = errorBody(code, message, field);
  if (c.req.path === '/verify') body.verified = false;
  if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter));
  return c.json(body, status);
}

export function classify(error: unknown): { code: ErrorCode; message?: string; field?: string; retryAfter?: number } | undefined {
  if (error instanceof AuthError) {
    return {
      code: error.code,
      message: error.message === error.code ? undefined : error.message,
      field: error.field,
      retryAfter: error.retryAfter,
    };
  }
  if (error instanceof StoreMisconfiguredError) return { code: 'store_misconfigured' };
  if (error instanceof MailUnavailableError) return { code: 'mail_unavailable' };
  if (error instanceof KeyServiceUnavailableError) return { code: 'key_service_unavailable' };
  if (error instanceof StoreUnavailableError) return { code: 'store_unavailable' };
  return undefined;
}
