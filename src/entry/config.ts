import { THROTTLE_DEFAULTS, type ThrottleSettings } from '../core/throttle';
import type { PasskeySettings } from '../core/webauthn';
import { passkeySettings } from './passkey-config';
import type { ProcessEnv } from './process-env';

/** Environment → typed configuration, validated once. The only reader of process.env is the caller. */

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly store: 'sqlite' | 'dynamodb';
  readonly sqliteFile: string;
  readonly table: string;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtl: number;
  readonly sessionTtl: number;
  readonly corsOrigins: readonly string[];
  readonly refreshGraceSeconds: number;
  readonly throttle: ThrottleSettings;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  readonly trustProxy: boolean;
  /** The web app's URL: where its pages are (and where links in mail point). */
  readonly appUrl: string;
  /** The relying party of passkeys: its RP ID and the page origins it accepts. */
  readonly passkeys: PasskeySettings;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const bad = (variable: string, value: string, rule: string) => new ConfigError(`Invalid configuration: ${variable}=${JSON.stringify(value)}: ${rule}`);

function integer(env: ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw bad(variable, raw, `must be a whole number from ${min} to ${max}`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw bad(variable, raw, `must be a whole number from ${min} to ${max}`);
  return value;
}

function boolean(env: ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw bad(variable, env[variable]!, "must be 'true' or 'false'");
}

function url(variable: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw bad(variable, raw, 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad(variable, raw, 'must be an absolute http(s) URL');
  if (parsed.search || parsed.hash) throw bad(variable, raw, 'must not carry a query or fragment');
  return raw.replace(/\/+$/, '');
}

/** Throws ConfigError with one line naming the variable; never exits by itself. */
export function loadConfig(env: ProcessEnv): Config {
  const onLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';

  const store = (env.AUTH_STORE?.trim() || (onLambda ? 'dynamodb' : 'sqlite')).toLowerCase();
  if (store !== 'sqlite' && store !== 'dynamodb') throw bad('AUTH_STORE', env.AUTH_STORE ?? '', "must be 'sqlite' or 'dynamodb'");

  const sqliteFile = env.AUTH_SQLITE_FILE?.trim() || '.data/auth.db';
  const table = env.AUTH_TABLE?.trim() || 'gatehouse';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw bad('AUTH_TABLE', table, 'must be a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)');

  const issuer = url('AUTH_ISSUER', env.AUTH_ISSUER?.trim() || `http://localhost:${port}`);
  const audience = env.AUTH_AUDIENCE?.trim() || 'gatehouse';
  const accessTokenTtl = integer(env, 'AUTH_ACCESS_TOKEN_TTL', 3600, 60, 86_400);
  const sessionTtl = integer(env, 'AUTH_SESSION_TTL', 30 * 86_400, 300, 365 * 86_400);
  if (sessionTtl < accessTokenTtl) {
    throw bad('AUTH_SESSION_TTL', String(sessionTtl), `must be at least AUTH_ACCESS_TOKEN_TTL (${accessTokenTtl})`);
  }

  const rawOrigins = env.AUTH_CORS_ORIGINS?.trim() || (onLambda ? '' : '*');
  const corsOrigins = rawOrigins
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      if (origin === '*') return origin;
      const normalized = url('AUTH_CORS_ORIGINS', origin);
      if (new URL(normalized).origin !== normalized) throw bad('AUTH_CORS_ORIGINS', origin, 'each entry must be an origin like https://app.example.com');
      return normalized;
    });
  if (corsOrigins.includes('*') && corsOrigins.length > 1) throw bad('AUTH_CORS_ORIGINS', rawOrigins, "'*' cannot be combined with other origins");

  const refreshGraceSeconds = integer(env, 'AUTH_REFRESH_GRACE_SECONDS', 10, 0, 60);
  const d = THROTTLE_DEFAULTS;
  const throttle: ThrottleSettings = {
    failuresPerClient: integer(env, 'AUTH_LOGIN_FAILURES_PER_CLIENT', d.failuresPerClient, 1, 1000),
    lockoutBaseSeconds: integer(env, 'AUTH_LOCKOUT_BASE_SECONDS', d.lockoutBaseSeconds, 1, 3600),
    lockoutMaxSeconds: integer(env, 'AUTH_LOCKOUT_MAX_SECONDS', d.lockoutMaxSeconds, 1, 86_400),
    accountFailuresPerHour: integer(env, 'AUTH_ACCOUNT_FAILURES_PER_HOUR', d.accountFailuresPerHour, 1, 1_000_000),
    clientLoginsPer10Min: integer(env, 'AUTH_CLIENT_LOGINS_PER_10_MIN', d.clientLoginsPer10Min, 1, 1_000_000),
    clientRegistrationsPer10Min: integer(env, 'AUTH_CLIENT_REGISTRATIONS_PER_10_MIN', d.clientRegistrationsPer10Min, 1, 1_000_000),
  };
  const trustProxy = boolean(env, 'AUTH_TRUST_PROXY', false);
  const appUrl = url('AUTH_APP_URL', env.AUTH_APP_URL?.trim() || issuer);
  const passkeys = passkeySettings(env, appUrl, bad);

  return {
    port,
    host,
    store,
    sqliteFile,
    table,
    issuer,
    audience,
    accessTokenTtl,
    sessionTtl,
    corsOrigins,
    refreshGraceSeconds,
    throttle,
    trustProxy,
    appUrl,
    passkeys,
  };
}
