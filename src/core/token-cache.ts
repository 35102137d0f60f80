import type { AccessClaims } from './access-token';

/**
 * Tokens whose signature and claims have already been checked, keyed by the exact token text, so
 * a token verified again (every request of a client does this) skips the RSA work. A cached
 * token is still refused once its `exp` passes, and its session is still looked up every time.
 * An entry is trusted for at most TRUST_SECONDS, so a token whose signing key was removed from
 * the store is checked against the store again soon after. When full, the entry trusted longest ago
 * goes first (a hit does not reorder the entries: that would cost two more map writes per request).
 */
export interface TokenCache {
  get(token: string, nowSeconds: number): AccessClaims | undefined;
  set(token: string, claims: AccessClaims, nowSeconds: number): void;
}

export const TRUST_SECONDS = 60;

export function tokenCache(capacity = 10_000): TokenCache {
  const entries = new Map<string, { claims: AccessClaims; until: number }>();
  return {
    get(token, nowSeconds) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.until > nowSeconds) return entry.claims;
      entries.delete(token);
      return undefined;
    },
    set(token, claims, nowSeconds) {
      if (entries.size >= capacity) entries.delete(entries.keys().next().value!);
      entries.set(token, { claims, until: Math.min(claims.exp, nowSeconds + TRUST_SECONDS) });
    },
  };
}
