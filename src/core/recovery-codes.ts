import { randomToken, sha256, timingSafeEqual } from './token-crypto';

/**
 * Recovery codes: the second factor for someone who lost their authenticator. Each is 10
 * characters of Crockford's base32 (50 random bits), shown as `xxxxx-xxxxx`; the alphabet has no
 * i, l, o or u, and typed input is forgiven its case, spaces and dashes, and i/l for 1, o for 0.
 *
 * Only hashes are stored: SHA-256 over a random salt of the set and the code. A slow password
 * hash is not needed, because the codes are not chosen by people: each is 50 random bits, so
 * there is no dictionary to try, and online guessing is capped by the login's tries. The salt
 * keeps someone holding a copy of the table from searching every user's codes at once.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;
const GROUP = 5;
const CODE_PATTERN = /^[0-9a-hjkmnp-tv-z]{10}$/;
/** Longer input is refused before any work is done on it. */
const INPUT_MAX = 64;
const SALT_BYTES = 16;

export interface RecoveryCodeEntry extends Record<string, unknown> {
  /** SHA-256 (base64url) of the salt and the normalised code. */
  readonly hash: string;
  /** Epoch milliseconds when it was spent; absent while it is unused. */
  readonly usedAt?: number;
}

/** What the store keeps: one set per user, replaced as a whole when new codes are made. */
export interface RecoveryCodeSet extends Record<string, unknown> {
  readonly salt: string;
  readonly codes: readonly RecoveryCodeEntry[];
}

export type RecoveryCodeMatch = { readonly ok: true; readonly index: number } | { readonly ok: false; readonly reason: 'malformed' | 'wrong' | 'used' };

const hashCode = (salt: string, normalised: string) => sha256(`gatehouse-recovery-code|${salt}|${normalised}`);

function randomCode(): string {
  // 32 divides 256, so the low five bits of a random byte pick a character without bias.
  let code = '';
  for (const byte of crypto.getRandomValues(new Uint8Array(CODE_LENGTH))) code += ALPHABET[byte & 31];
  return code;
}

const display = (code: string) => `${code.slice(0, GROUP)}-${code.slice(GROUP)}`;

/**
 * The canonical form of a typed code (10 lower-case characters of the alphabet), or undefined
 * when it cannot be one.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  if (input.length > INPUT_MAX) return undefined;
  const code = input
    .toLowerCase()
    .replace(/[\s\-\u2010-\u2015\u2212]/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  return CODE_PATTERN.test(code) ? code : undefined;
}

/** A new set: the codes to show once, and what to store. */
export async function newRecoveryCodes(): Promise<{ codes: string[]; stored: RecoveryCodeSet }> {
  const plain = new Set<string>();
  while (plain.size < RECOVERY_CODE_COUNT) plain.add(randomCode());
  const salt = randomToken(SALT_BYTES);
  const codes = [...plain];
  const hashes = await Promise.all(codes.map((code) => hashCode(salt, code)));
  return { codes: codes.map(display), stored: { salt, codes: hashes.map((hash) => ({ hash })) } };
}

/**
 * Which entry of the set a typed code is. Every entry is compared, in constant time, whatever
 * matched; a code spent before is `used`.
 */
export async function findRecoveryCode(stored: RecoveryCodeSet, presented: string): Promise<RecoveryCodeMatch> {
  const normalised = normalizeRecoveryCode(presented);
  if (!normalised) return { ok: false, reason: 'malformed' };
  const hash = await hashCode(stored.salt, normalised);
  let index = -1;
  stored.codes.forEach((entry, i) => {
    if (timingSafeEqual(entry.hash, hash)) index = i;
  });
  if (index < 0) return { ok: false, reason: 'wrong' };
  return stored.codes[index]!.usedAt === undefined ? { ok: true, index } : { ok: false, reason: 'used' };
}

/**
 * The set with one entry marked spent, to write back conditionally on the version it was read
 * at: of two requests spending from the same set at once, one write fails, and that request reads
 * again and finds the code used (or spends its own, different one).
 */
export function spendRecoveryCode(stored: RecoveryCodeSet, index: number, now: number): RecoveryCodeSet {
  const entry = stored.codes[index];
  if (!entry || entry.usedAt !== undefined) throw new RangeError('spendRecoveryCode: no unused code at that index');
  return { ...stored, codes: stored.codes.map((code, i) => (i === index ? { hash: code.hash, usedAt: now } : code)) };
}

export const recoveryCodesLeft = (stored: RecoveryCodeSet): number => stored.codes.filter((code) => code.usedAt === undefined).length;
