import { describe, expect, it } from 'vitest';
import type { AccessClaims } from '../src/core/access-token';
import { TRUST_SECONDS, tokenCache } from '../src/core/token-cache';

const claims = (username: string, exp: number): AccessClaims => ({ username, sid: 'A'.repeat(22), exp, amr: ['pwd'] });

describe('tokenCache', () => {
  it('answers a cached token with its claims until its trust runs out, then forgets it', () => {
    const cache = tokenCache();
    cache.set('t1', claims('ada', 10_000), 1_000);
    expect(cache.get('t1', 1_000)).toEqual(claims('ada', 10_000));
    expect(cache.get('t1', 1_000 + TRUST_SECONDS - 1)?.username).toBe('ada');
    expect(cache.get('t1', 1_000 + TRUST_SECONDS)).toBeUndefined();
    // Forgotten, not only refused: the same moment again still finds nothing.
    expect(cache.get('t1', 1_000)).toBeUndefined();
    expect(cache.get('unknown', 1_000)).toBeUndefined();
  });

  it('never trusts a token past its own exp, even within the trust window', () => {
    const cache = tokenCache();
    cache.set('short', claims('ada', 1_010), 1_000);
    expect(cache.get('short', 1_009)?.username).toBe('ada');
    expect(cache.get('short', 1_010)).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the entry trusted longest ago first, however often it was used', () => {
    const cache = tokenCache(3);
    cache.set('a', claims('a', 9_999), 1_000);
    cache.set('b', claims('b', 9_999), 1_000);
    cache.set('c', claims('c', 9_999), 1_000);
    expect(cache.get('a', 1_001)?.username).toBe('a');
    cache.set('d', claims('d', 9_999), 1_001);
    expect(['a', 'b', 'c', 'd'].map((t) => cache.get(t, 1_001)?.username)).toEqual([undefined, 'b', 'c', 'd']);
  });
});
