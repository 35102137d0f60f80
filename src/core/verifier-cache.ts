import { type CryptoKey, importJWK, type JWK } from 'jose';
import type { Store } from '../store/store';
import type { Clock } from './clock';
import { type SigningKeyRecord, signingKeyKey } from './records';

const KID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const MISS_TTL_MS = 30_000;
const MAX_MISSES = 1_000;
/** A public key is looked up again this often, so one removed from the store stops verifying. */
const RECHECK_MS = 60_000;
const MAX_VERIFIERS = 100;

/**
 * Public keys by `kid`, read from the store and kept for a minute at a time; a `kid` the store
 * does not hold is remembered for half a minute, so made-up ones cost one read each at most.
 */
export function verifierCache(store: Store, clock: Clock) {
  const verifiers = new Map<string, { key: Promise<CryptoKey>; checkedAt: number }>();
  const misses = new Map<string, number>();

  return {
    async get(kid: string): Promise<CryptoKey | undefined> {
      if (!KID_PATTERN.test(kid)) return undefined;
      const time = clock.now();
      const cached = verifiers.get(kid);
      if (cached && time - cached.checkedAt < RECHECK_MS) return cached.key;
      const missedAt = misses.get(kid);
      if (!cached && missedAt !== undefined && time - missedAt < MISS_TTL_MS) return undefined;
      const item = await store.get<SigningKeyRecord>(signingKeyKey(kid));
      if (!item) {
        verifiers.delete(kid);
        if (misses.size >= MAX_MISSES) misses.clear();
        misses.set(kid, time);
        return undefined;
      }
      if (cached) {
        cached.checkedAt = time;
        return cached.key;
      }
      const key = importJWK(item.data.publicJwk as JWK, 'RS256') as Promise<CryptoKey>;
      if (verifiers.size >= MAX_VERIFIERS) verifiers.delete(verifiers.keys().next().value!);
      const entry = { key, checkedAt: time };
      verifiers.set(kid, entry);
      // A key that failed to load is not kept: the next token tries again.
      key.catch(() => {
        if (verifiers.get(kid) === entry) verifiers.delete(kid);
      });
      return key;
    },
  };
}
