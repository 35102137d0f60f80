import { MAX_PASSKEYS_PER_USER, type PasskeySettings } from '../core/webauthn';
import type { ProcessEnv } from './process-env';

type Bad = (variable: string, value: string, rule: string) => Error;

const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');
/** The host is the RP ID or one of its subdomains: the rule browsers apply. */
const under = (host: string, rpId: string) => host === rpId || host.endsWith(`.${rpId}`);

function origin(raw: string, bad: Bad): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw bad('AUTH_RP_ORIGINS', raw, 'each entry must be an origin like https://app.example.com');
  }
  if (parsed.origin !== raw.replace(/\/+$/, '').toLowerCase())
    throw bad('AUTH_RP_ORIGINS', raw, 'each entry must be an origin like https://app.example.com (no path)');
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLocalhost(parsed.hostname))) {
    throw bad('AUTH_RP_ORIGINS', raw, 'must be https (http only for localhost): WebAuthn runs only in secure contexts');
  }
  return parsed.origin;
}

/**
 * AUTH_RP_ID (default: the host of AUTH_APP_URL) and AUTH_RP_ORIGINS (default: the origin of
 * AUTH_APP_URL; comma-separated). What is set is checked as browsers would: the RP ID a domain
 * (not an IP address), each origin https (or http on localhost), and each origin's host the RP ID
 * or a subdomain of it. Defaults are taken as they are, so an issuer on an IP address still starts
 * (browsers then offer no passkeys there).
 */
export function passkeySettings(env: ProcessEnv, appUrl: string, bad: Bad): PasskeySettings {
  const app = new URL(appUrl);
  const rawRpId = env.AUTH_RP_ID?.trim();
  const rpId = rawRpId ? rawRpId.toLowerCase() : app.hostname;
  if (rawRpId) {
    if (!DOMAIN.test(rpId) || IPV4.test(rpId))
      throw bad('AUTH_RP_ID', rawRpId, 'must be a domain name such as example.com (no scheme, port or path; not an IP address)');
    if (!rpId.includes('.') && rpId !== 'localhost') throw bad('AUTH_RP_ID', rawRpId, 'must be a registrable domain such as example.com, or localhost');
  }
  const rawOrigins = env.AUTH_RP_ORIGINS?.trim();
  const origins = rawOrigins
    ? rawOrigins
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => origin(entry, bad))
    : [app.origin];
  for (const each of origins) {
    const host = new URL(each).hostname;
    if (under(host, rpId)) continue;
    if (rawRpId) throw bad('AUTH_RP_ID', rawRpId, `must be the host of every passkey origin or a parent domain of it; ${each} is not under it`);
    throw bad('AUTH_RP_ORIGINS', each, `is not under the RP ID ${rpId} (the host of AUTH_APP_URL): set AUTH_RP_ID to a domain both share`);
  }
  return { rpId, rpName: 'Gatehouse', origins, maxPerUser: MAX_PASSKEYS_PER_USER };
}
