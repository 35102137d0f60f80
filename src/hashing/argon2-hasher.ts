import type { hash, verify } from '@node-rs/argon2';
import { BCRYPT_MAX_COST, BCRYPT_MIN_COST, bcryptCost, bcryptCostAccepted } from '../core/bcrypt-cost';
import type { Logger } from '../core/logger';
import type { PasswordHasher, VerifyOutcome } from '../core/passwords';
import { randomToken } from '../core/token-crypto';

export interface Argon2Params {
  /** KiB. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP's first Argon2id configuration: m=19 MiB, t=2, p=1. */
export const ARGON2_DEFAULTS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** The numeric value of @node-rs/argon2's const enum Algorithm.Argon2id. */
export const ARGON2ID = 2;
const FAILED: VerifyOutcome = { ok: false, needsRehash: false };

export interface Argon2HasherOptions {
  /** Told about stored hashes that cannot be used (never the hash itself). */
  readonly logger?: Logger;
}

/**
 * Argon2id in PHC strings, on the libuv thread pool. Verifies bcrypt hashes too (the tutorials'
 * tables), always asking for an upgrade; an Argon2 hash with other parameters asks for one too.
 * A stored hash that cannot be used — a bcrypt cost outside 4–14, a verification that throws, an
 * unknown format — answers like a wrong password, and is logged.
 */
export interface Argon2Engine {
  readonly hash: typeof hash;
  readonly verify: typeof verify;
}

/**
 * The native Argon2 binding and bcrypt load with the first password that needs them, not at start:
 * a Lambda instance that only verifies tokens never pays for them.
 */
let binding: Promise<typeof import('@node-rs/argon2')> | undefined;
const argon2 = () => (binding ??= import('@node-rs/argon2'));
const nativeEngine: Argon2Engine = {
  hash: async (...args) => (await argon2()).hash(...args),
  verify: async (...args) => (await argon2()).verify(...args),
};
const bcryptjs = async () => (await import('bcryptjs')).default;

export function argon2Hasher(
  params: Argon2Params = ARGON2_DEFAULTS,
  { logger, engine = nativeEngine }: Argon2HasherOptions & { readonly engine?: Argon2Engine } = {},
): PasswordHasher {
  const options = { ...params, algorithm: ARGON2ID };
  let dummy: Promise<string> | undefined;
  const unusable = (kind: string, reason: string): VerifyOutcome => {
    logger?.warn('unusable password hash', { kind, reason });
    return FAILED;
  };

  // A hash made now starts with exactly this (variant, version 1.3, parameters); any other start —
  // another variant, an older version, other costs — is outdated.
  const current = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;

  return {
    hash: (password) => engine.hash(password, options),

    async verify(stored, password) {
      if (stored.startsWith('$argon2')) {
        let ok: boolean;
        try {
          ok = await engine.verify(stored, password);
        } catch {
          return unusable('argon2', 'verification failed');
        }
        return { ok, needsRehash: ok && !stored.startsWith(current) };
      }
      const cost = bcryptCost(stored);
      if (cost !== undefined) {
        // Below 4 bcrypt throws; far above 14 one attempt would hold a CPU for minutes or days.
        if (!bcryptCostAccepted(cost)) return unusable('bcrypt', `cost ${stored.slice(4, 6)} is outside ${BCRYPT_MIN_COST}–${BCRYPT_MAX_COST}`);
        let ok: boolean;
        try {
          // The tutorials hashed password.trim() at sign-up but compared the untrimmed input.
          const bcrypt = await bcryptjs();
          ok = (await bcrypt.compare(password, stored)) || (password !== password.trim() && (await bcrypt.compare(password.trim(), stored)));
        } catch {
          return unusable('bcrypt', 'verification failed');
        }
        return { ok, needsRehash: ok };
      }
      return unusable('unknown', 'not a hash this service knows');
    },

    dummyHash() {
      if (!dummy) {
        const made = engine.hash(randomToken(24), options);
        dummy = made;
        // A failure must not stick: unknown names would then fail where known ones do not.
        made.catch(() => {
          if (dummy === made) dummy = undefined;
        });
      }
      return dummy;
    },
  };
}
