import type { Clock } from './clock';
import { canonicalContext, type DataKey, type KeyContext, type KeyVault } from './key-vault';

export interface DataKeyCacheOptions {
  readonly clock: Clock;
  /** How long an unwrapped data key is kept, counted from when it was unwrapped (default 5 minutes). */
  readonly ttlMs?: number;
  /** At most this many keys are kept; the least recently used goes first (default 1 000). */
  readonly maxEntries?: number;
}

export interface CachedKeyVault extends KeyVault {
  /** Data keys held now (expired ones may linger until they are next looked at). */
  readonly size: number;
  /** Forgets (and zeroes) every held data key. */
  clear(): void;
}

interface Entry {
  readonly key: Uint8Array;
  readonly expiresAt: number;
}

export const DATA_KEY_CACHE_DEFAULTS = { ttlMs: 5 * 60_000, maxEntries: 1_000 } as const;

/**
 * Keeps unwrapped data keys for a bounded time in this instance, so a hot path opens a sealed
 * secret without asking the key service each time. Entries are keyed by the wrapped key AND the
 * canonical context: another context is never served from the cache, it goes to the vault and is
 * refused there. Concurrent unwraps of one key share one call; failures are not kept. A key made by
 * generateDataKey is kept too, so a secret sealed here opens here without a call.
 *
 * The lifetime is not extended by use: a key-encryption key that is disabled, or a permission that
 * is withdrawn, takes effect in every warm instance within `ttlMs`.
 */
export function cachedKeyVault(inner: KeyVault, options: DataKeyCacheOptions): CachedKeyVault {
  const { clock } = options;
  const ttlMs = options.ttlMs ?? DATA_KEY_CACHE_DEFAULTS.ttlMs;
  const maxEntries = Math.max(1, options.maxEntries ?? DATA_KEY_CACHE_DEFAULTS.maxEntries);
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<Uint8Array>>();

  const cacheKey = (wrapped: string, context: KeyContext) => `${canonicalContext(context)}\u0000${wrapped}`;

  const forget = (id: string) => {
    entries.get(id)?.key.fill(0);
    entries.delete(id);
  };

  const remember = (id: string, key: Uint8Array) => {
    forget(id);
    const now = clock.now();
    if (entries.size >= maxEntries) {
      for (const [other, entry] of entries) if (entry.expiresAt <= now) forget(other);
    }
    while (entries.size >= maxEntries) forget(entries.keys().next().value!);
    entries.set(id, { key: key.slice(), expiresAt: now + ttlMs });
  };

  const fresh = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (!entry) return undefined;
    if (clock.now() >= entry.expiresAt) {
      forget(id);
      return undefined;
    }
    // Most recently used last, so eviction takes the least recently used first.
    entries.delete(id);
    entries.set(id, entry);
    return entry;
  };

  return {
    kek: inner.kek,
    get size() {
      return entries.size;
    },
    clear() {
      for (const id of [...entries.keys()]) forget(id);
    },
    async generateDataKey(context: KeyContext): Promise<DataKey> {
      const dataKey = await inner.generateDataKey(context);
      remember(cacheKey(dataKey.wrapped, context), dataKey.plaintext);
      return dataKey;
    },
    async unwrapDataKey(wrapped: string, context: KeyContext): Promise<Uint8Array> {
      const id = cacheKey(wrapped, context);
      const hit = fresh(id);
      if (hit) return hit.key.slice();
      let call = pending.get(id);
      if (!call) {
        call = inner.unwrapDataKey(wrapped, context).then(
          (key) => {
            pending.delete(id);
            remember(id, key);
            return key;
          },
          (error: unknown) => {
            pending.delete(id);
            throw error;
          },
        );
        pending.set(id, call);
      }
      // Each caller gets its own copy and may zero it.
      return (await call).slice();
    },
  };
}
