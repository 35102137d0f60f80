import { fileURLToPath } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { ConfigError } from '../core/config-error';

/** Where mail goes (AUTH_MAIL) and who it is from (AUTH_MAIL_FROM), validated once at start-up. */
export type MailConfig = (
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'smtp'; readonly url: string }
  | {
      readonly kind: 'ses';
      /** AWS_REGION (or AWS_DEFAULT_REGION); the SDK's own chain when unset. */
      readonly region?: string;
      /** AWS_ENDPOINT_URL_SESV2 (or AWS_ENDPOINT_URL): a local SES-compatible endpoint. */
      readonly endpoint?: string;
      /** A loopback endpoint and no credentials in the environment: any credentials will do. */
      readonly localCredentials: boolean;
    }
) & { readonly from: string };

/** A mail setting that cannot be used as given. */
export class MailConfigError extends ConfigError {
  override readonly name = 'MailConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_OUTBOX = '.data/outbox';
export const DEFAULT_MAIL_FROM = 'Gatehouse <no-reply@localhost>';
const AUTH_MAIL_RULE = 'must be file:DIR, smtp://[user:pass@]host:port, smtps://[user:pass@]host:port or ses';

/** The value as it may be printed: the password of a URL replaced by ***. */
function redacted(raw: string): string {
  const match = /^([a-z]+:\/\/)(.*)@([^@]*)$/is.exec(raw);
  if (!match) return raw;
  const [, scheme, userinfo, rest] = match;
  const user = userinfo!.split(':')[0];
  return `${scheme}${user}${userinfo!.includes(':') ? ':***' : ''}@${rest}`;
}

const bad = (variable: string, raw: string, rule: string) =>
  new MailConfigError(`Invalid configuration: ${variable}=${JSON.stringify(redacted(raw))}: ${rule}`);

function fileDir(raw: string): string {
  const rest = raw.slice('file:'.length);
  if (rest.startsWith('//')) {
    try {
      return fileURLToPath(raw);
    } catch {
      throw bad('AUTH_MAIL', raw, 'file: must name a local directory, as file:DIR or file:///absolute/dir');
    }
  }
  if (!rest.trim()) throw bad('AUTH_MAIL', raw, 'file: must name a directory, as file:DIR');
  return rest;
}

function smtpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('AUTH_MAIL', raw, AUTH_MAIL_RULE);
  }
  if (!url.hostname) throw bad('AUTH_MAIL', raw, 'the SMTP URL must name a host');
  if (url.port === '0') throw bad('AUTH_MAIL', raw, 'the SMTP port must be 1–65535');
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    throw bad('AUTH_MAIL', raw, 'the SMTP URL must not carry a path, query or fragment');
  }
  if (Boolean(url.username) !== Boolean(url.password)) {
    throw bad('AUTH_MAIL', raw, 'the SMTP URL needs both a user name and a password, or neither');
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw bad('AUTH_MAIL', raw, 'the user name and password must be percent-encoded');
  }
  return raw;
}

function endpoint(variable: string, raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(variable, value, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(variable, value, 'must be an absolute http(s) URL');
  return value;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function sender(env: Env, required: boolean, kind: string): string {
  const raw = env.AUTH_MAIL_FROM?.trim();
  if (!raw) {
    if (required) throw bad('AUTH_MAIL_FROM', env.AUTH_MAIL_FROM ?? '', `required when AUTH_MAIL is ${kind}`);
    return DEFAULT_MAIL_FROM;
  }
  const rule = 'must be one address, like Gatehouse <no-reply@example.com>';
  if (/[\r\n\u0000]/.test(raw)) throw bad('AUTH_MAIL_FROM', raw, rule);
  const entries = addressparser(raw);
  const [only] = entries;
  if (entries.length !== 1 || !only || only.group || !/^[^\s@<>]+@[^\s@<>]+$/.test(only.address)) throw bad('AUTH_MAIL_FROM', raw, rule);
  return raw;
}

/** Throws MailConfigError with one line naming the variable; defaults per SPEC §11. */
export function loadMailConfig(env: Env): MailConfig {
  const onLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  const raw = env.AUTH_MAIL?.trim() || (onLambda ? 'ses' : `file:${DEFAULT_OUTBOX}`);
  const lower = raw.toLowerCase();

  if (lower.startsWith('file:')) return { kind: 'file', dir: fileDir(raw), from: sender(env, false, 'file') };
  if (lower.startsWith('smtp://') || lower.startsWith('smtps://')) {
    return { kind: 'smtp', url: smtpUrl(raw), from: sender(env, true, 'smtp') };
  }
  if (lower === 'ses') {
    const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
    const variable = env.AWS_ENDPOINT_URL_SESV2?.trim() ? 'AWS_ENDPOINT_URL_SESV2' : 'AWS_ENDPOINT_URL';
    const url = endpoint(variable, env[variable]);
    const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_WEB_IDENTITY_TOKEN_FILE);
    const localCredentials = url !== undefined && LOOPBACK.has(new URL(url).hostname) && !hasCredentials;
    return { kind: 'ses', ...(region ? { region } : {}), ...(url ? { endpoint: url } : {}), localCredentials, from: sender(env, true, 'ses') };
  }
  throw bad('AUTH_MAIL', raw, AUTH_MAIL_RULE);
}

/** Where mail goes, for a start-up log line: never a password. */
export function describeMail(config: MailConfig): string {
  switch (config.kind) {
    case 'file':
      return `file:${config.dir}`;
    case 'smtp': {
      const url = new URL(config.url);
      return `${url.protocol}//${url.host}`;
    }
    case 'ses':
      return `ses${config.region ? ` (${config.region})` : ''}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
  }
}
