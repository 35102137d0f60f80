import { describe, expect, it } from 'vitest';
import { finishMfa, mfaAttemptsKey, mfaTokenKey, type PendingMfa, startMfa, takeMfaAttempt } from '../src/core/mfa-tokens';
import type { UserRecord } from '../src/core/records';
import { randomToken, sha256 } from '../src/core/token-crypto';
import { testClock } from './helpers/clock';
import { slowReads } from './helpers/slow-reads';
import { storeFactories } from './helpers/stores';

/** Now, not a fixed date: DynamoDB Local's TTL sweep removes items whose expiry is in the real past. */
const START = Date.now();

const user = (overrides: Partial<UserRecord> = {}): UserRecord => ({
  username: 'arindam369',
  name: 'Arindam Halder',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  createdAt: '2025-01-01T00:00:00.000Z',
  passwordVersion: 2,
  ...overrides,
});

async function setup(factory: (typeof storeFactories)[number]) {
  const clock = testClock(START);
  const store = await factory.make(clock.now);
  return { clock, store };
}

const pendingOf = (attempt: Awaited<ReturnType<typeof takeMfaAttempt>>): PendingMfa => {
  if (!attempt.ok) throw new Error(`expected a try, got ${attempt.reason}`);
  return attempt.pending;
};

describe.each(storeFactories)('mfa tokens on $name', (factory) => {
  it('stores only the hash of the token, with the user as the password step saw them, for five minutes', async () => {
    const { clock, store } = await setup(factory);
    const { mfaToken, expiresIn } = await startMfa(store, clock, user());
    expect(mfaToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresIn).toBe(300);
    const item = await store.get(mfaTokenKey(await sha256(mfaToken)));
    expect(item?.data).toEqual({ username: 'arindam369', userCreatedAt: '2025-01-01T00:00:00.000Z', passwordVersion: 2, createdAt: START });
    expect(item?.expiresAt).toBe(START + 300_000);
    expect(JSON.stringify(item)).not.toContain(mfaToken);
    // A user whose password never changed is at version 0.
    const fresh = await startMfa(store, clock, { username: 'newcomer', createdAt: '2025-02-02T00:00:00.000Z' });
    expect((await store.get(mfaTokenKey(await sha256(fresh.mfaToken))))?.data).toMatchObject({ username: 'newcomer', passwordVersion: 0 });
    expect(fresh.mfaToken).not.toBe(mfaToken);
  });

  it('a right code finishes the login once; the token is gone after', async () => {
    const { clock, store } = await setup(factory);
    const { mfaToken } = await startMfa(store, clock, user());
    const pending = pendingOf(await takeMfaAttempt(store, clock, mfaToken));
    expect(pending).toMatchObject({ username: 'arindam369', userCreatedAt: '2025-01-01T00:00:00.000Z', passwordVersion: 2, attempt: 1, attemptsLeft: 4 });
    expect(await finishMfa(store, pending, user())).toBe(true);
    expect(await finishMfa(store, pending, user())).toBe(false);
    expect(await takeMfaAttempt(store, clock, mfaToken)).toEqual({ ok: false, reason: 'invalid' });
    expect(await store.get(mfaTokenKey(pending.id))).toBeUndefined();
    expect(await store.get(mfaAttemptsKey(pending.id))).toBeUndefined();
  });

  it('lives five minutes', async () => {
    const { clock, store } = await setup(factory);
    const { mfaToken } = await startMfa(store, clock, user());
    clock.advance(299_999);
    const pending = pendingOf(await takeMfaAttempt(store, clock, mfaToken));
    clock.advance(1);
    expect(await takeMfaAttempt(store, clock, mfaToken)).toEqual({ ok: false, reason: 'invalid' });
    // A try taken just before the end cannot finish after it.
    expect(await finishMfa(store, pending, user())).toBe(false);
  });

  it('allows five tries; the sixth is refused, and a right code in an earlier try still finishes', async () => {
    const { clock, store } = await setup(factory);
    const { mfaToken } = await startMfa(store, clock, user());
    const tries: PendingMfa[] = [];
    for (let i = 1; i <= 5; i++) {
      const pending = pendingOf(await takeMfaAttempt(store, clock, mfaToken));
      expect(pending).toMatchObject({ attempt: i, attemptsLeft: 5 - i });
      tries.push(pending);
    }
    expect(await takeMfaAttempt(store, clock, mfaToken)).toEqual({ ok: false, reason: 'exhausted' });
    expect(await takeMfaAttempt(store, clock, mfaToken)).toEqual({ ok: false, reason: 'exhausted' });
    expect(await finishMfa(store, tries[1]!, user())).toBe(true);
    expect(await takeMfaAttempt(store, clock, mfaToken)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('of 20 tries sent at once, exactly five get to check a code', async () => {
    const { clock, store } = await setup(factory);
    const { mfaToken } = await startMfa(store, clock, user());
    const results = await Promise.all(Array.from({ length: 20 }, () => takeMfaAttempt(slowReads(store), clock, mfaToken)));
    const granted = results.flatMap((r) => (r.ok ? [r.pending.attempt] : []));
    expect(granted.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(results.filter((r) => !r.ok && r.reason === 'exhausted')).toHaveLength(15);
    expect(await takeMfaAttempt(store, clock, mfaToken)).toEqual({ ok: false, reason: 'exhausted' });
  });

  it('of five right codes finishing at once, exactly one gets the session', async () => {
    const { clock, store } = await setup(factory);
    const { mfaToken } = await startMfa(store, clock, user());
    const tries = await Promise.all(Array.from({ length: 5 }, async () => pendingOf(await takeMfaAttempt(store, clock, mfaToken))));
    const finished = await Promise.all(tries.map((pending) => finishMfa(slowReads(store), pending, user())));
    expect(finished.filter(Boolean)).toHaveLength(1);
    // The same try finished twice at once also gives one.
    const again = await startMfa(store, clock, user());
    const pending = pendingOf(await takeMfaAttempt(store, clock, again.mfaToken));
    const twice = await Promise.all([finishMfa(slowReads(store), pending, user()), finishMfa(slowReads(store), pending, user())]);
    expect(twice.sort()).toEqual([false, true]);
  });

  it('is bound to the account and password of the password step', async () => {
    const { clock, store } = await setup(factory);
    const cases: [string, UserRecord | undefined][] = [
      ['password changed since', user({ passwordVersion: 3 })],
      ['account removed', undefined],
      ['account removed and made again', user({ createdAt: '2025-03-03T00:00:00.000Z' })],
      ['another account', user({ username: 'someone-else' })],
    ];
    for (const [label, now] of cases) {
      const { mfaToken } = await startMfa(store, clock, user());
      const pending = pendingOf(await takeMfaAttempt(store, clock, mfaToken));
      expect(await finishMfa(store, pending, now), label).toBe(false);
      // The token ended with the refusal.
      expect(await takeMfaAttempt(store, clock, mfaToken), label).toEqual({ ok: false, reason: 'invalid' });
    }
    // A user from before password versions (none stored) matches a token that recorded 0.
    const legacy = user({ passwordVersion: undefined });
    const { mfaToken } = await startMfa(store, clock, legacy);
    expect(await finishMfa(store, pendingOf(await takeMfaAttempt(store, clock, mfaToken)), legacy)).toBe(true);
  });

  it('refuses tokens it never issued, and writes nothing for them', async () => {
    const { clock, store } = await setup(factory);
    const { mfaToken } = await startMfa(store, clock, user());
    const unknown = randomToken(32);
    for (const token of [
      '',
      'x',
      unknown,
      `${mfaToken}A`,
      mfaToken.slice(1),
      mfaToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      `${mfaToken.slice(0, 42)}=`,
      'A'.repeat(100_000),
    ]) {
      expect(await takeMfaAttempt(store, clock, token)).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(await store.get(mfaAttemptsKey(await sha256(unknown)))).toBeUndefined();
    // The real one was not touched by any of that.
    expect(pendingOf(await takeMfaAttempt(store, clock, mfaToken)).attempt).toBe(1);
  });

  it('takes its lifetime and number of tries from settings', async () => {
    const { clock, store } = await setup(factory);
    const settings = { ttlSeconds: 60, maxAttempts: 2 };
    const { mfaToken, expiresIn } = await startMfa(store, clock, user(), settings);
    expect(expiresIn).toBe(60);
    expect(pendingOf(await takeMfaAttempt(store, clock, mfaToken, settings)).attemptsLeft).toBe(1);
    expect(pendingOf(await takeMfaAttempt(store, clock, mfaToken, settings)).attemptsLeft).toBe(0);
    expect(await takeMfaAttempt(store, clock, mfaToken, settings)).toEqual({ ok: false, reason: 'exhausted' });
    const other = await startMfa(store, clock, user(), settings);
    clock.advance(60_000);
    expect(await takeMfaAttempt(store, clock, other.mfaToken, settings)).toEqual({ ok: false, reason: 'invalid' });
  });
});
