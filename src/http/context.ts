import type { Context, Hono } from 'hono';
import type { AuthService, AuthSettings, Caller } from '../core/auth-service';
import type { Clock } from '../core/clock';
import type { EmailService, EmailSettings } from '../core/email-service';
import type { KeyVault } from '../core/key-vault';
import type { Logger } from '../core/logger';
import type { MailSender } from '../core/mail';
import type { PasskeyService } from '../core/passkey-service';
import type { PasswordCheck, PasswordHasher } from '../core/passwords';
import type { SigningKeys } from '../core/signing-keys';
import type { PasskeySettings, WebAuthn } from '../core/webauthn';
import type { Store } from '../store/store';
import type { BodyReader } from './body';
import type { CookieSettings } from './token-sources';

/** What the app and its route groups share: its dependencies and the request context. */

export interface HttpSettings extends AuthSettings {
  /** Origins allowed by CORS; ['*'] allows any origin, without credentials. */
  readonly corsOrigins: readonly string[];
  /** Where mail links point, how long they live, how much mail may be sent. */
  readonly email: EmailSettings;
  /** The relying party of passkeys; by default the issuer's host and origin. */
  readonly passkeys?: PasskeySettings;
}

/**
 * Runs work that must neither delay the answer nor show in it, and resolves when the route may
 * answer. The Node server runs it once the response has been written; on Lambda, where nothing
 * runs after the answer, it runs first and the answer waits for a fixed time (see lambda-api.ts).
 */
export type AfterResponse = (c: Context<AppEnv>, work: () => Promise<void>) => Promise<void>;

/** The network address of the caller, as the runtime knows it. */
export type ClientAddress = (c: Context<AppEnv>) => string | undefined;

export interface AppDeps {
  readonly store: Store;
  /** Where the caller's address comes from; limits are counted per address. */
  readonly clientAddress?: ClientAddress;
  readonly readBody?: BodyReader;
  /** Routes served in front of the API (the web app's files, on the Node server). */
  readonly site?: (app: Hono<AppEnv>) => void;
  readonly hasher: PasswordHasher;
  readonly passwords: PasswordCheck;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  /** Seals the secrets the store keeps (TOTP secrets; the signing keys hold it themselves). */
  readonly keyVault: KeyVault;
  /** Checks passkey ceremonies (src/webauthn/). */
  readonly webauthn: WebAuthn;
  readonly logger: Logger;
  /** Sends the mail of the email flows (file, SMTP or SES). */
  readonly mailer: MailSender;
  /** How work after the answer runs; by default it is started once the route has answered. */
  readonly afterResponse?: AfterResponse;
  readonly settings: HttpSettings;
}

export type AppEnv = { Variables: { requestId: string; readBody: () => Promise<string> } };

/** What each group of routes is handed. */
export interface RouteContext {
  readonly auth: AuthService;
  readonly email: EmailService;
  readonly afterResponse: AfterResponse;
  readonly passkeys: PasskeyService;
  readonly deps: AppDeps;
  readonly cookie: CookieSettings;
  /** Origins whose pages may send cookie-authenticated writes. */
  readonly trustedOrigins: ReadonlySet<string>;
  /** The caller, for limits and session records. */
  caller(c: Context<AppEnv>): Caller;
  readBody: BodyReader;
}
