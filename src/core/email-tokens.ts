import { type Item, isConditionFailed, type NewItem, type Store, type WriteOp } from '../store/store';
import { base64url } from './base64url';
import type { Clock } from './clock';
import { AuthError } from './errors';
import { usernameFromBase64url } from './identity';
import { emailTokenKey, type UserRecord } from './records';
import { randomToken, sha256, timingSafeEqual } from './token-crypto';

/**
 * The tokens of the links that mail carries: confirming an address (`verify`), confirming a new
 * address (`change`) and choosing a new password (`reset`).
 *
 * A token names its own record, as a refresh token does: base64url(username) "." purpose letter
 * "." a 256-bit secret. The record lives in the user's partition under one key per purpose, so the
 * link is found with one read and no index, and a new link of the same purpose overwrites the old
 * one: one live link per user and purpose. Only SHA-256 of the secret is stored; the store's
 * expiry ends the link; consuming it is a version-conditioned delete inside the transaction that
 * makes its change, so it works once. The record is bound to the account it was made for (its
 * creation time) and to its password at that moment, so neither a remade account of the same name
 * nor a link asked for before a password change can use it.
 */

export type EmailTokenPurpose = 'verify' | 'change' | 'reset';

export interface EmailTokenRecord extends Record<string, unknown> {
  purpose: EmailTokenPurpose;
  /** SHA-256 of the secret, base64url. */
  hash: string;
  /** The address the link was sent to: the one it confirms, or the one a reset goes to. */
  address: string;
  /** The account it belongs to: its creation time and its password version when the link was made. */
  userCreatedAt: string;
  passwordVersion: number;
  createdAt: string;
}

const LETTER: Record<EmailTokenPurpose, string> = { verify: 'v', change: 'c', reset: 'r' };
const PURPOSE: Record<string, EmailTokenPurpose> = { v: 'verify', c: 'change', r: 'reset' };
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{4,88})\.([vcr])\.([A-Za-z0-9_-]{43})$/;

export interface ParsedEmailToken {
  readonly username: string;
  readonly purpose: EmailTokenPurpose;
  readonly secret: string;
}

/** The parts of a token; undefined for anything that is not one (no store read is needed to say so). */
export function parseEmailToken(token: string): ParsedEmailToken | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  const username = usernameFromBase64url(match[1]!);
  if (!username) return undefined;
  return { username, purpose: PURPOSE[match[2]!]!, secret: match[3]! };
}

export interface PreparedEmailToken {
  /** The token for the link; never stored. */
  readonly token: string;
  /** Its record, to write (alone, or in the transaction that makes the account). */
  readonly item: NewItem<EmailTokenRecord>;
}

/** A new token of this purpose for this user, and the record that makes it live for `ttlSeconds`. */
export async function prepareEmailToken(
  clock: Clock,
  ttlSeconds: number,
  user: UserRecord,
  purpose: EmailTokenPurpose,
  address: string,
): Promise<PreparedEmailToken> {
  const secret = randomToken(32);
  const now = clock.now();
  const record: EmailTokenRecord = {
    purpose,
    hash: await sha256(secret),
    address,
    userCreatedAt: user.createdAt,
    passwordVersion: user.passwordVersion ?? 0,
    createdAt: new Date(now).toISOString(),
  };
  return {
    token: `${base64url(user.username)}.${LETTER[purpose]}.${secret}`,
    item: { ...emailTokenKey(user.username, purpose), data: record, expiresAt: now + ttlSeconds * 1000 },
  };
}

/** Writes a new token, replacing the user's live one of the same purpose. */
export async function issueEmailToken(
  store: Store,
  clock: Clock,
  ttlSeconds: number,
  user: UserRecord,
  purpose: EmailTokenPurpose,
  address: string,
): Promise<{ token: string; item: Item<EmailTokenRecord> }> {
  const prepared = await prepareEmailToken(clock, ttlSeconds, user, purpose, address);
  return { token: prepared.token, item: await store.put(prepared.item) };
}

/** The live record a token names, when its secret matches and its purpose is one of `purposes`. */
export async function findEmailToken(
  store: Store,
  token: string,
  purposes: readonly EmailTokenPurpose[],
): Promise<{ parsed: ParsedEmailToken; item: Item<EmailTokenRecord> } | undefined> {
  const parsed = parseEmailToken(token);
  if (!parsed || !purposes.includes(parsed.purpose)) return undefined;
  const [item, presented] = await Promise.all([store.get<EmailTokenRecord>(emailTokenKey(parsed.username, parsed.purpose)), sha256(parsed.secret)]);
  if (!item || item.data.purpose !== parsed.purpose || !timingSafeEqual(item.data.hash, presented)) return undefined;
  return { parsed, item };
}

/** Whether a token's record still belongs to this very account, with the password it had. */
export const tokenFitsUser = (record: EmailTokenRecord, user: UserRecord): boolean =>
  record.userCreatedAt === user.createdAt && record.passwordVersion === (user.passwordVersion ?? 0);

/**
 * Takes back a token whose mail did not go out: removed only if it is still the one written, so a
 * newer link of the same purpose stays.
 */
export async function withdrawEmailToken(store: Store, item: Item<EmailTokenRecord>): Promise<void> {
  try {
    await store.delete(item, { ifVersion: item.version });
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/**
 * Spends a link in the transaction of the change it makes. `writes` returns the change's writes over
 * the user it is given (the link's version-conditioned delete is added to them). When a condition
 * fails — the link spent by another request, or the user or something `writes` read changed
 * meanwhile — a link that is gone answers `invalid()`, and one still there is tried again over the
 * user read afresh, three times in all, then `conflict`. `readUser` reads the user and throws
 * `invalid()` when the link no longer fits it; `first` is a user already read that way.
 * Resolves with the user the change was made over.
 */
export async function spendEmailToken(
  store: Store,
  link: Item<EmailTokenRecord>,
  readUser: () => Promise<Item<UserRecord>>,
  writes: (user: Item<UserRecord>) => Promise<readonly WriteOp[]>,
  invalid: () => AuthError,
  first?: Item<UserRecord>,
): Promise<Item<UserRecord>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const user = attempt === 0 && first ? first : await readUser();
    try {
      await store.transact([...(await writes(user)), { type: 'delete', key: link, ifVersion: link.version }]);
      return user;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      if (!(await store.get(link))) throw invalid();
    }
  }
  throw new AuthError('conflict');
}
