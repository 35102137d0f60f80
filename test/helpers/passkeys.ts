import type { LogFields, Logger } from '../../src/core/logger';
import { passkeyOwnerKey, passkeySetKey, userKey } from '../../src/core/records';
import { sha256 } from '../../src/core/token-crypto';
import { bearer, ISSUER, type TestApp } from './app';
import type { Ceremony, SoftAuthenticator, SoftCredential } from './soft-authenticator';

/** A logger that keeps what it was told, to see what an operator would see. */
export function recordingLogger(): Logger & { readonly lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** The page origin of the in-process app: its issuer. */
export const PAGE_ORIGIN = ISSUER;

export async function registrationOptions(t: TestApp, token: string): Promise<any> {
  const res = await t.call('/passkeys/register/options', { method: 'POST', headers: bearer(token) });
  if (res.status !== 200) throw new Error(`register/options answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Options, the authenticator's answer, and the finishing request; the response is returned as it came. */
export async function addPasskey(
  t: TestApp,
  token: string,
  authenticator: SoftAuthenticator,
  options: { name?: string; ceremony?: Ceremony & { reuse?: SoftCredential; counter?: number } } = {},
): Promise<{ res: Response; response: any }> {
  const creation = await registrationOptions(t, token);
  const response = await authenticator.create(creation, options.ceremony);
  const res = await t.call('/passkeys/register', { body: { response, ...(options.name ? { name: options.name } : {}) }, headers: bearer(token) });
  return { res, response };
}

export async function loginOptions(t: TestApp, username?: string): Promise<any> {
  const res = await t.call('/passkeys/login/options', { body: username === undefined ? {} : { username } });
  if (res.status !== 200) throw new Error(`login/options answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export const passkeyLogin = (t: TestApp, response: unknown) => t.call('/passkeys/login', { body: { response } });

/** What the store holds for a user's passkeys: their records, the set's count, and the lookups of given ids. */
export async function storedPasskeys(t: TestApp, username: string, ids: readonly string[] = []) {
  const records = await t.store.list(userKey(username).pk, { prefix: 'PASSKEY#' });
  const set = await t.store.get<{ count: number }>(passkeySetKey(username));
  const owners = await Promise.all(ids.map(async (id) => (await t.store.get<{ username: string }>(passkeyOwnerKey(await sha256(id))))?.data.username));
  return { records: records.map((r) => r.data as Record<string, unknown>), count: set?.data.count ?? 0, owners };
}

export async function sessionCount(t: TestApp, username: string): Promise<number> {
  return (await t.store.list(userKey(username).pk, { prefix: 'SESSION#' })).length;
}
