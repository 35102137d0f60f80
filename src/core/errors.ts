/** Stable, machine-readable error codes. `http/errors.ts` maps each to a status and message. */
export type ErrorCode =
  | 'invalid_json'
  | 'missing_field'
  | 'invalid_field'
  | 'weak_password'
  | 'user_exists'
  | 'invalid_credentials'
  | 'missing_token'
  | 'invalid_token'
  | 'token_expired'
  | 'username_mismatch'
  | 'session_revoked'
  | 'not_authenticated'
  | 'invalid_refresh_token'
  | 'refresh_token_reused'
  | 'wrong_password'
  | 'conflict'
  | 'forbidden_origin'
  | 'rate_limited'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'store_unavailable'
  | 'store_misconfigured'
  | 'key_service_unavailable'
  | 'invalid_mfa_code'
  | 'invalid_mfa_token'
  | 'wrong_mfa_code'
  | 'mfa_already_enabled'
  | 'mfa_not_enabled'
  | 'mfa_setup_missing'
  | 'internal_error'
  // Email links and the flows that send them (email-*.ts, password-reset.ts).
  | 'invalid_email_token'
  | 'invalid_reset_token'
  | 'email_taken'
  | 'no_email'
  | 'email_already_verified'
  | 'mail_unavailable'
  // Passkeys
  | 'invalid_passkey'
  | 'passkey_not_verified'
  | 'passkey_exists'
  | 'passkey_limit'
  | 'login_too_old';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly field?: string,
    /** Seconds the caller should wait before trying again (429). */
    readonly retryAfter?: number,
  ) {
    super(message ?? code);
  }
}

export const rateLimited = (seconds: number) =>
  new AuthError('rate_limited', `Too many attempts; try again in ${Math.max(1, Math.ceil(seconds))} seconds`, undefined, Math.max(1, Math.ceil(seconds)));
