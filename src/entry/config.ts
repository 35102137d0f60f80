import { ConfigError } from '../core/config-error';
import type { EmailSettings } from '../core/email-service';
import { EMAIL_LIMIT_DEFAULTS } from '../core/email-throttle';
import { THROTTLE_DEFAULTS, type ThrottleSettings } from '../core/throttle';
import type { PasskeySettings } from '../core/webauthn';
import { LOG_LEVELS, type LogLevel } from './json-logger';
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
  readonly logLevel: LogLevel;
  /** Links in mail (AUTH_APP_URL, AUTH_EMAIL_TOKEN_TTL), the limits on mail, and the name mail signs with. */
  readonly email: EmailSettings;
  /** On Lambda, the fixed time POST /password/forgot takes to answer, its mail sent within it (milliseconds). */
  readonly forgotAnswerMs: number;
  /** The web app's URL: where its pages are (and where links in mail point). */
  readonly appUrl: string;
  /** The relying party of passkeys: its RP ID and the page origins it accepts. */
  readonly passkeys: PasskeySettings;
}

export { ConfigError };

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

/**
 * The name mail is signed with: the display name of AUTH_MAIL_FROM (`Acme <no-reply@acme.example>`
 * → Acme), else Gatehouse. The address itself is checked where mail is set up (mail-config.ts).
 */
export function mailAppName(from: string | undefined): string {
  const name = /^\s*"?([^"<>]*?)"?\s*<[^<>]+>\s*$/.exec(from ?? '')?.[1]?.trim();
  return name || 'Gatehouse';
}

/** Throws ConfigError with one line naming the variable; never exits by itself. */
export function loadConfig(env: ProcessEnv): Config {
  const onLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9a-fA-F:]+)$/.test(host)) {
    throw bad('HOST', host, 'must be an IP address or a host name, such as 127.0.0.1 or 0.0.0.0');
  }
  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw bad('LOG_LEVEL', env.LOG_LEVEL ?? '', `must be one of ${LOG_LEVELS.join(', ')}`);
  const region = env.AWS_REGION?.trim();
  if (region && !/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(region)) throw bad('AWS_REGION', region, 'must be an AWS region such as us-east-1');
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB?.trim();
  if (endpoint) url('AWS_ENDPOINT_URL_DYNAMODB', endpoint);

  const store = (env.AUTH_STORE?.trim() || (onLambda ? 'dynamodb' : 'sqlite')).toLowerCase();
  if (store !== 'sqlite' && store !== 'dynamodb') throw bad('AUTH_STORE', env.AUTH_STORE ?? '', "must be 'sqlite' or 'dynamodb'");

  const sqliteFile = env.AUTH_SQLITE_FILE?.trim() || '.data/auth.db';
  if (sqliteFile.endsWith('/') || sqliteFile.includes('\0')) throw bad('AUTH_SQLITE_FILE', sqliteFile, "must be a file path or ':memory:'");
  const table = env.AUTH_TABLE?.trim() || 'gatehouse';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw bad('AUTH_TABLE', table, 'must be a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)');

  const issuer = url('AUTH_ISSUER', env.AUTH_ISSUER?.trim() || `http://localhost:${port}`);
  const audience = env.AUTH_AUDIENCE?.trim() || 'gatehouse';
  if (!/^[\x21-\x7e]{1,256}$/.test(audience)) throw bad('AUTH_AUDIENCE', audience, 'must be 1–256 printable characters without spaces');
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
  const email: EmailSettings = {
    appUrl,
    appName: mailAppName(env.AUTH_MAIL_FROM),
    tokenTtl: integer(env, 'AUTH_EMAIL_TOKEN_TTL', 900, 60, 86_400),
    limits: {
      perAccountPerHour: integer(env, 'AUTH_EMAIL_REQUESTS_PER_ACCOUNT_PER_HOUR', EMAIL_LIMIT_DEFAULTS.perAccountPerHour, 1, 1000),
      perClientPer10Min: integer(env, 'AUTH_CLIENT_EMAIL_REQUESTS_PER_10_MIN', EMAIL_LIMIT_DEFAULTS.perClientPer10Min, 1, 1_000_000),
    },
  };

  const forgotAnswerMs = integer(env, 'AUTH_FORGOT_ANSWER_MS', 1000, 100, 10_000);
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
    logLevel,
    email,
    forgotAnswerMs,
    appUrl,
    passkeys,
  };
}
