import type { Context, Hono } from 'hono';
import type { AuthService, AuthSettings, Caller } from '../core/auth-service';
import type { Clock } from '../core/clock';
import type { KeyVault } from '../core/key-vault';
import type { Logger } from '../core/logger';
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
  /** The relying party of passkeys; by default the issuer's host and origin. */
  readonly passkeys?: PasskeySettings;
}

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
  readonly settings: HttpSettings;
}

export type AppEnv = { Variables: { requestId: string; readBody: () => Promise<string> } };

/** What each group of routes is handed. */
export interface RouteContext {
  readonly auth: AuthService;
  readonly passkeys: PasskeyService;
  readonly deps: AppDeps;
  readonly cookie: CookieSettings;
  /** Origins whose pages may send cookie-authenticated writes. */
  readonly trustedOrigins: ReadonlySet<string>;
  /** The caller, for limits and session records. */
  caller(c: Context<AppEnv>): Caller;
  readBody: BodyReader;
}
