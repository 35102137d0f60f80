import type { Store } from '../store/store';
import { bytesFromBase64url } from './base64url';
import type { Clock } from './clock';
import { passkeyChallengeKey } from './records';
import { randomToken, sha256 } from './token-crypto';
import { CHALLENGE_TTL_MS } from './webauthn';

/**
 * WebAuthn challenges, kept in the store so that any instance can finish a ceremony another one
 * began: 256 random bits, stored under their SHA-256 with what they were issued for, expiring
 * after five minutes. A challenge is spent by deleting it, and the store tells exactly one caller
 * that its delete removed the item: of two requests with the same response, one goes on.
 */

export interface ChallengeRecord extends Record<string, unknown> {
  readonly purpose: 'register' | 'login';
  /** Register: the account adding a passkey. Login: the name typed, if one was. */
  readonly username?: string;
  /** Register: the session that asked, which alone may finish. */
  readonly sid?: string;
  readonly createdAt: number;
}

const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new challenge for this purpose, stored; the base64url text goes into the options. */
export async function issueChallenge(store: Store, clock: Clock, record: Omit<ChallengeRecord, 'createdAt'>): Promise<string> {
  const challenge = randomToken(32);
  const now = clock.now();
  await store.create({ ...passkeyChallengeKey(await sha256(challenge)), data: { ...record, createdAt: now }, expiresAt: now + CHALLENGE_TTL_MS });
  return challenge;
}

/**
 * Spends a challenge issued for `expected` (same purpose, and same user and session where the
 * record names them). Undefined when there is no such live challenge, it was issued for
 * something else (then it is left for its owner), or another request spent it first.
 */
export async function spendChallenge(store: Store, challenge: string, expected: (record: ChallengeRecord) => boolean): Promise<ChallengeRecord | undefined> {
  if (!CHALLENGE_PATTERN.test(challenge)) return undefined;
  const key = passkeyChallengeKey(await sha256(challenge));
  const item = await store.get<ChallengeRecord>(key);
  if (!item || !expected(item.data)) return undefined;
  return (await store.delete(key)) ? item.data : undefined;
}

/** The challenge a WebAuthn response answers, read from its clientDataJSON; undefined if it carries none. */
export function challengeOf(response: unknown): string | undefined {
  const clientDataJSON = (response as { response?: { clientDataJSON?: unknown } } | null)?.response?.clientDataJSON;
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 8192) return undefined;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytesFromBase64url(clientDataJSON));
    const challenge = (JSON.parse(text) as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' ? challenge : undefined;
  } catch {
    return undefined;
  }
}
