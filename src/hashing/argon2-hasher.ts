import { hash, parseOptions, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import type { PasswordHasher, VerifyOutcome } from '../core/passwords';
import { randomToken } from '../core/random';

export interface Argon2Params {
  /** KiB. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP's first Argon2id configuration: m=19 MiB, t=2, p=1. */
export const ARGON2_DEFAULTS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// The numeric value of @node-rs/argon2's const enum Algorithm.Argon2id.
const ARGON2ID = 2;
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const FAILED: VerifyOutcome = { ok: false, needsRehash: false };

/**
 * Argon2id in PHC strings, on the libuv thread pool. Verifies bcrypt hashes too (the tutorials'
 * tables), always asking for an upgrade; an Argon2 hash with other parameters asks for one too.
 */
export interface Argon2Engine {
  readonly hash: typeof hash;
  readonly verify: typeof verify;
}

export function argon2Hasher(params: Argon2Params = ARGON2_DEFAULTS, engine: Argon2Engine = { hash, verify }): PasswordHasher {
  const options = { ...params, algorithm: ARGON2ID };
  let dummy: Promise<string> | undefined;

  const outdated = (stored: string): boolean => {
    const parsed = parseOptions(stored);
    return (
      parsed.algorithm !== ARGON2ID ||
      parsed.memoryCost !== params.memoryCost ||
      parsed.timeCost !== params.timeCost ||
      parsed.parallelism !== params.parallelism
    );
  };

  return {
    hash: (password) => engine.hash(password, options),

    async verify(stored, password) {
      if (stored.startsWith('$argon2')) {
        let ok: boolean;
        try {
          ok = await engine.verify(stored, password);
        } catch {
          return FAILED;
        }
        return { ok, needsRehash: ok && outdated(stored) };
      }
      if (BCRYPT.test(stored)) {
        // The tutorials hashed password.trim() at sign-up but compared the untrimmed input.
        const ok = (await bcrypt.compare(password, stored)) || (password !== password.trim() && (await bcrypt.compare(password.trim(), stored)));
        return { ok, needsRehash: ok };
      }
      return FAILED;
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
