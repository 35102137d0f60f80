import type { AccessClaims } from './access-tokens';

/**
 * Tokens whose signature and claims have already been checked, keyed by the exact token text, so
 * a token verified again (every request of a client does this) skips the RSA work. A cached
 * token is still refused once its `exp` passes, and its session is still looked up every time.
 * Least recently used entries go first.
 */
export interface TokenCache {
  get(token: string, nowSeconds: number): AccessClaims | undefined;
  set(token: string, claims: AccessClaims): void;
}

export function tokenCache(capacity = 10_000): TokenCache {
  const entries = new Map<string, AccessClaims>();
  return {
    get(token, nowSeconds) {
      const claims = entries.get(token);
      if (!claims) return undefined;
      entries.delete(token);
      if (claims.exp <= nowSeconds) return undefined;
      entries.set(token, claims);
      return claims;
    },
    set(token, claims) {
      if (entries.size >= capacity) entries.delete(entries.keys().next().value!);
      entries.set(token, claims);
    },
  };
}
