import type { Key, Store } from '../store/store';
import type { Clock } from './clock';
import type { UserRecord } from './records';
import { randomToken, sha256 } from './token-crypto';

/**
 * The `mfaToken` a password step hands out when a second factor is needed: an opaque 256-bit
 * value, of which only the SHA-256 is stored, as the key of a record naming the user as the
 * password step saw them (creation time and password version). The store removes it when it
 * expires; it allows a fixed number of tries and gives a session at most once.
 *
 * Tries are taken before a code is checked, with an atomic counter: however many requests arrive
 * at once, only `maxAttempts` of them get to check a code, and a wrong code needs no further
 * write. Counting failures afterwards would let a burst of parallel guesses all be checked before
 * the first failure was written. A token whose tries are used up is refused until it expires; it
 * is not removed, so a right code still being checked in a try taken earlier can finish.
 */
export interface MfaTokenSettings {
  readonly ttlSeconds: number;
  /** Codes that may be tried with one token, the right one included. */
  readonly maxAttempts: number;
}

export const MFA_TOKEN_DEFAULTS: MfaTokenSettings = { ttlSeconds: 300, maxAttempts: 5 };

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const mfaPk = (id: string) => `MFA#${id}`;
export const mfaTokenKey = (id: string): Key => ({ pk: mfaPk(id), sk: 'TOKEN' });
export const mfaAttemptsKey = (id: string): Key => ({ pk: mfaPk(id), sk: 'ATTEMPTS' });

export interface MfaTokenRecord extends Record<string, unknown> {
  username: string;
  /** The account as the password step saw it: a removed and re-made one, or a changed password, ends the token. */
  userCreatedAt: string;
  passwordVersion: number;
  createdAt: number;
}

/** A login waiting for its second factor, with one try taken. */
export interface PendingMfa {
  /** SHA-256 of the token: the record's id. */
  readonly id: string;
  readonly username: string;
  readonly userCreatedAt: string;
  readonly passwordVersion: number;
  /** Which try this is, from 1. */
  readonly attempt: number;
  /** Tries left after this one. */
  readonly attemptsLeft: number;
  readonly expiresAt: number;
}

export type MfaAttempt =
  | { readonly ok: true; readonly pending: PendingMfa }
  /** `invalid`: no such live token (never issued, expired, or finished); `exhausted`: no tries left. */
  | { readonly ok: false; readonly reason: 'invalid' | 'exhausted' };

type PasswordStepUser = Pick<UserRecord, 'username' | 'createdAt' | 'passwordVersion'>;

/** After a right password: a token for the second step, and its lifetime in seconds. */
export async function startMfa(
  store: Store,
  clock: Clock,
  user: PasswordStepUser,
  settings: MfaTokenSettings = MFA_TOKEN_DEFAULTS,
): Promise<{ mfaToken: string; expiresIn: number }> {
  const mfaToken = randomToken(32);
  const now = clock.now();
  const record: MfaTokenRecord = {
    username: user.username,
    userCreatedAt: user.createdAt,
    passwordVersion: user.passwordVersion ?? 0,
    createdAt: now,
  };
  await store.create({ ...mfaTokenKey(await sha256(mfaToken)), data: record, expiresAt: now + settings.ttlSeconds * 1000 });
  return { mfaToken, expiresIn: settings.ttlSeconds };
}

/**
 * Takes one try of a token, before the code that came with it is checked. Call it once per code
 * presented, and check the code only when this resolved ok.
 */
export async function takeMfaAttempt(store: Store, clock: Clock, token: string, settings: MfaTokenSettings = MFA_TOKEN_DEFAULTS): Promise<MfaAttempt> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'invalid' };
  const id = await sha256(token);
  const item = await store.get<MfaTokenRecord>(mfaTokenKey(id));
  if (!item) return { ok: false, reason: 'invalid' };
  // The counter lives as long as the token; a retried increment is counted once.
  const expiresAt = item.expiresAt ?? clock.now() + settings.ttlSeconds * 1000;
  const { value: attempt } = await store.increment(mfaAttemptsKey(id), 1, expiresAt);
  if (attempt > settings.maxAttempts) return { ok: false, reason: 'exhausted' };
  const { username, userCreatedAt, passwordVersion } = item.data;
  return { ok: true, pending: { id, username, userCreatedAt, passwordVersion, attempt, attemptsLeft: settings.maxAttempts - attempt, expiresAt } };
}

/** The user the token was issued to, unchanged since: same account, same password. */
export const pendingMatchesUser = (pending: PendingMfa, user: UserRecord | undefined): boolean =>
  user !== undefined &&
  user.username === pending.username &&
  user.createdAt === pending.userCreatedAt &&
  (user.passwordVersion ?? 0) === pending.passwordVersion;

/**
 * After a right code: ends the token, and resolves true for exactly one caller, the one that may
 * create the session. `user` is the account as read now; if it was removed or its password
 * changed since the password step, the token ends and this resolves false. Spend the factor
 * (the TOTP step, the recovery code) with its own conditional write before calling this.
 */
export async function finishMfa(store: Store, pending: PendingMfa, user: UserRecord | undefined): Promise<boolean> {
  const matches = pendingMatchesUser(pending, user);
  const [ended] = await Promise.all([store.delete(mfaTokenKey(pending.id)), store.delete(mfaAttemptsKey(pending.id))]);
  return ended && matches;
}
