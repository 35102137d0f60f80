import type * as z from 'zod/mini';
import type * as pres from '../http/passkey-responses';
import type { passkeyLoginBody, passkeyLoginOptionsBody, passkeyRegisterBody } from '../http/passkey-schemas';
import type * as res from '../http/responses';
import type {
  currentPasswordBody,
  emailChangeBody,
  forgotBody,
  loginBody,
  messageBody,
  mfaLoginBody,
  passwordBody,
  registerBody,
  resetBody,
  tokenBody,
  totpCodeBody,
} from '../http/schemas';

/**
 * A typed client for front ends: one method per route, request and answer types inferred from the
 * very schemas the server validates with and its OpenAPI description is generated from. Runs
 * wherever `fetch` does (browsers, Node, workers).
 */

export type RegisterRequest = z.input<typeof registerBody>;
export type LoginRequest = z.input<typeof loginBody>;
export type TokenRequest = z.input<typeof tokenBody>;
export type PasswordRequest = z.input<typeof passwordBody>;
export type MessageRequest = z.input<typeof messageBody>;
export type CurrentPasswordRequest = z.input<typeof currentPasswordBody>;
export type TotpCodeRequest = z.input<typeof totpCodeBody>;
/** The second step of a login: the `mfaToken` of the first, and either a code from the app or a recovery code. */
export type MfaLoginRequest = z.input<typeof mfaLoginBody> & ({ code: string; recoveryCode?: undefined } | { recoveryCode: string; code?: undefined });
export type Registered = z.output<typeof res.registered>;
export type LoggedIn = z.output<typeof res.loggedIn>;
/** A right password for an account with two-step verification on: no token yet, the second step next. */
export type SecondFactorRequired = z.output<typeof res.secondFactorRequired>;
/** What `login` answers: logged in, or the second step to take. */
export type LoginAnswer = z.output<typeof res.loginAnswer>;
export type TotpSetup = z.output<typeof res.totpSetup>;
export type RecoveryCodes = z.output<typeof res.recoveryCodes>;
export type MfaStatus = z.output<typeof res.mfaStatus>;
export type Refreshed = z.output<typeof res.refreshed>;
export type Verified = z.output<typeof res.verified>;
export type Profile = z.output<typeof res.profile>;
export type SessionStatus = z.output<typeof res.sessionStatus>;
export type SessionList = z.output<typeof res.sessionList>;
export type MessageList = z.output<typeof res.messageList>;
export type MessagePosted = z.output<typeof res.messagePosted>;
export type Ended = z.output<typeof res.ended>;
export type Done = z.output<typeof res.done>;
export type ErrorBody = z.output<typeof res.errorResponse>;
export type EmailChangeRequest = z.input<typeof emailChangeBody>;
/** `{username}` or `{email}`: one of the two. */
export type ForgotRequest = z.input<typeof forgotBody>;
export type ResetRequest = z.input<typeof resetBody>;
export type EmailVerified = z.output<typeof res.emailVerified>;
export type EmailSent = z.output<typeof res.emailSent>;
export type ForgotAnswer = z.output<typeof res.forgotAnswer>;
export type PasskeyRegisterRequest = z.input<typeof passkeyRegisterBody>;
export type PasskeyLoginOptionsRequest = z.input<typeof passkeyLoginOptionsBody>;
export type PasskeyLoginRequest = z.input<typeof passkeyLoginBody>;
/** For `navigator.credentials.create` (or `startRegistration({ optionsJSON })` of @simplewebauthn/browser). */
export type PasskeyCreationOptions = z.output<typeof pres.creationOptions>;
/** For `navigator.credentials.get` (or `startAuthentication({ optionsJSON })`). */
export type PasskeyRequestOptions = z.output<typeof pres.requestOptions>;
export type Passkey = z.output<typeof pres.passkey>;
export type PasskeyList = z.output<typeof pres.passkeyList>;

/**
 * Any answer other than success: the status, the stable `code`, the message, Retry-After on 429,
 * and the request field it is about (`username`, `password`, `text`…) when it is about one.
 */
export class GatehouseError extends Error {
  override readonly name = 'GatehouseError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Whether a login answer asks for the second step (a code from the app or a recovery code) rather than carrying the tokens. */
export function needsSecondFactor(answer: LoginAnswer): answer is SecondFactorRequired {
  return 'mfaRequired' in answer && answer.mfaRequired === true;
}

export interface ClientOptions {
  /** The API's base URL; '' for the same origin. */
  readonly baseUrl?: string;
  /** The access token to send as a bearer token; read before every request. */
  readonly token?: () => string | null | undefined;
  /** 'include' to send the session cookie cross-origin; 'same-origin' by default. */
  readonly credentials?: 'omit' | 'same-origin' | 'include';
  readonly fetch?: typeof fetch;
}

export function createClient(options: ClientOptions = {}) {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const send = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = options.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await send(base + path, {
        method,
        headers,
        credentials: options.credentials ?? 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new GatehouseError(0, 'network', 'The service cannot be reached. Check your connection and try again.');
    }
    const data = (await response.json().catch(() => ({}))) as Partial<ErrorBody>;
    if (!response.ok) {
      const retry = Number(response.headers.get('Retry-After'));
      throw new GatehouseError(
        response.status,
        typeof data.code === 'string' ? data.code : 'http_error',
        typeof data.message === 'string' ? data.message : `HTTP ${response.status}`,
        Number.isFinite(retry) && retry > 0 ? retry : undefined,
        typeof data.field === 'string' ? data.field : undefined,
      );
    }
    return data as T;
  }

  return {
    register: (body: RegisterRequest) => call<Registered>('POST', '/register', body),
    /** Logged in, or (two-step verification on) `{mfaRequired, mfaToken}`: tell them apart with `needsSecondFactor`. */
    login: (body: LoginRequest) => call<LoginAnswer>('POST', '/login', body),
    /** The second step of a login: the normal login answer. */
    loginSecondFactor: (body: MfaLoginRequest) => call<LoggedIn>('POST', '/login/mfa', body),
    verify: (body: TokenRequest = {}) => call<Verified>('POST', '/verify', body),
    logout: (body: TokenRequest = {}) => call<Done>('POST', '/logout', body),
    profile: () => call<Profile>('GET', '/user/myprofile'),
    /** Who is logged in: `{authenticated: false}` rather than a 401 when nobody is. */
    currentSession: () => call<SessionStatus>('GET', '/session'),
    refresh: (refreshToken: string) => call<Refreshed>('POST', '/token/refresh', { refreshToken }),
    logoutAll: () => call<Ended>('POST', '/logout/all'),
    changePassword: (body: PasswordRequest) => call<Ended>('POST', '/password', body),
    /** Starts turning on two-step verification: a new secret and its otpauth:// URL, pending until confirmed. */
    setupTotp: (body: CurrentPasswordRequest) => call<TotpSetup>('POST', '/mfa/totp/setup', body),
    /** A right code from the app turns it on; the 10 recovery codes are answered this once. */
    confirmTotp: (body: TotpCodeRequest) => call<RecoveryCodes>('POST', '/mfa/totp/confirm', body),
    /** A new set of recovery codes; the old set stops working. */
    newRecoveryCodes: (body: CurrentPasswordRequest) => call<RecoveryCodes>('POST', '/mfa/recovery-codes', body),
    /** Turns two-step verification off; its recovery codes stop working. */
    disableTotp: (body: CurrentPasswordRequest) => call<Done>('DELETE', '/mfa/totp', body),
    sessions: () => call<SessionList>('GET', '/sessions'),
    endSession: (id: string) => call<Done>('DELETE', `/sessions/${encodeURIComponent(id)}`),
    messages: () => call<MessageList>('GET', '/messages'),
    postMessage: (body: MessageRequest) => call<MessagePosted>('POST', '/messages', body),
    /** Confirms an address with the token of its link (`#verify=…`). */
    verifyEmail: (token: string) => call<EmailVerified>('POST', '/email/verify', { token }),
    /** A new confirmation link to the caller's current address. */
    resendVerification: () => call<EmailSent>('POST', '/email/verify/resend'),
    /** A confirmation link to a new address; the address changes once it is used. */
    changeEmail: (body: EmailChangeRequest) => call<EmailSent>('POST', '/email', body),
    /** Always the same answer, whether or not the account exists. */
    forgotPassword: (body: ForgotRequest) => call<ForgotAnswer>('POST', '/password/forgot', body),
    /** A new password with the token of a reset link (`#reset=…`); every session ends. */
    resetPassword: (body: ResetRequest) => call<Ended>('POST', '/password/reset', body),
    /** Begins adding a passkey to the logged-in account. */
    passkeyRegistrationOptions: () => call<PasskeyCreationOptions>('POST', '/passkeys/register/options'),
    /** Finishes it with what the authenticator answered. */
    registerPasskey: (body: PasskeyRegisterRequest) => call<Passkey>('POST', '/passkeys/register', body),
    passkeys: () => call<PasskeyList>('GET', '/passkeys'),
    removePasskey: (id: string) => call<Done>('DELETE', `/passkeys/${encodeURIComponent(id)}`),
    /** Begins a passkey login; without a username any of the person's passkeys may answer. */
    passkeyLoginOptions: (body: PasskeyLoginOptionsRequest = {}) => call<PasskeyRequestOptions>('POST', '/passkeys/login/options', body),
    /** Logs in with what the authenticator answered: the same answer as `login`. */
    passkeyLogin: (body: PasskeyLoginRequest) => call<LoggedIn>('POST', '/passkeys/login', body),
  };
}

export type GatehouseClient = ReturnType<typeof createClient>;
