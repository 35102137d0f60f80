import { describe, expect, it } from 'vitest';
import { removeUser } from '../src/core/account-removal';
import type { PasswordHasher } from '../src/core/passwords';
import { MESSAGES_PK, messageKey, SESSION_PREFIX, signingKeyKey, userKey } from '../src/core/records';
import { argon2Hasher } from '../src/hashing/argon2-hasher';
import type { Store } from '../src/store/store';
import { bearer, hasher, makeTestApp, PASSWORD } from './helpers/app';
import { storeFactories } from './helpers/stores';

/** The shared hasher, with the next verify held open until the test lets it finish. */
function holdableHasher() {
  let gate: Promise<void> | undefined;
  let release: () => void = () => {};
  let taken: () => void = () => {};
  const wrapped: PasswordHasher = {
    hash: (password) => hasher.hash(password),
    dummyHash: () => hasher.dummyHash(),
    async verify(stored, password) {
      // The first check to start after hold() is the one held.
      const held = gate;
      gate = undefined;
      if (held) taken();
      const outcome = await hasher.verify(stored, password);
      if (held) await held;
      return outcome;
    },
  };
  return {
    hasher: wrapped,
    /** Resolves once a check has started and is held. */
    hold(): Promise<void> {
      gate = new Promise((resolve) => (release = resolve));
      return new Promise((resolve) => (taken = resolve));
    },
    release() {
      release();
    },
  };
}

/** A store that records which partitions were listed. */
function listing(store: Store): { store: Store; listed: string[] } {
  const listed: string[] = [];
  const list: Store['list'] = (pk, options) => {
    listed.push(pk);
    return store.list(pk, options);
  };
  return { store: { ...store, list }, listed };
}

describe.each(storeFactories)('writes that race a login, on $name', (factory) => {
  it('a login whose password check ends after a password change gets no session', async () => {
    const gate = holdableHasher();
    const t = await makeTestApp((now) => factory.make(now), { hasher: gate.hasher });
    await t.register('racer');
    const { token } = await t.login('racer');
    const held = gate.hold();
    const racing = t.call('/login', { body: { username: 'racer', password: PASSWORD } });
    await held;
    // The login waits with its password checked; the change goes through meanwhile.
    const change = await t.call('/password', { body: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, headers: bearer(token) });
    expect(change.status).toBe(200);
    gate.release();
    const login = await racing;
    expect(login.status).toBe(401);
    expect(await login.json()).toMatchObject({ code: 'invalid_credentials' });
    // Only the session that changed the password is left.
    expect(await t.store.list(userKey('racer').pk, { prefix: SESSION_PREFIX })).toHaveLength(1);
    expect((await t.call('/login', { body: { username: 'racer', password: 'a brand new passphrase' } })).status).toBe(200);
  });

  it('a login whose password check ends after the user was removed gets no session', async () => {
    const gate = holdableHasher();
    const t = await makeTestApp((now) => factory.make(now), { hasher: gate.hasher });
    await t.register('leaver', PASSWORD, { email: 'leaver@example.com' });
    const held = gate.hold();
    const racing = t.call('/login', { body: { username: 'leaver', password: PASSWORD } });
    await held;
    expect(await removeUser(t.store, 'leaver')).toMatchObject({ user: true, sessions: 0 });
    gate.release();
    expect((await racing).status).toBe(401);
    expect(await t.store.list(userKey('leaver').pk)).toEqual([]);
  });

  it('removing a user reads only their own messages, and also finds ones posted before pointers existed', async () => {
    const t = await makeTestApp((now) => factory.make(now));
    await t.register('poster');
    await t.register('other');
    const poster = await t.login('poster');
    const other = await t.login('other');
    // A message as an earlier version stored it: on the board, without a pointer under its author.
    const old = messageKey(t.clock.now() - 1_000, 'olderone0000');
    await t.store.create({
      ...old,
      data: { id: 'olderone0000', author: 'poster', text: 'from before', createdAt: new Date(t.clock.now() - 1_000).toISOString() },
    });
    for (const text of ['one', 'two']) expect((await t.call('/messages', { body: { text }, headers: bearer(poster.token) })).status).toBe(201);
    expect((await t.call('/messages', { body: { text: 'kept' }, headers: bearer(other.token) })).status).toBe(201);

    expect(await removeUser(t.store, 'poster')).toEqual({ user: true, sessions: 1, messages: 3, passkeys: 0 });
    const board = await (await t.call('/messages')).json();
    expect(board.messages.map((m: { text: string }) => m.text)).toEqual(['kept']);

    // From now on the board is never read through to remove someone.
    const watched = listing(t.store);
    expect(await removeUser(watched.store, 'other')).toEqual({ user: true, sessions: 1, messages: 1, passkeys: 0 });
    expect(watched.listed).not.toContain(MESSAGES_PK);
    expect(await t.store.list(MESSAGES_PK)).toEqual([]);
  });

  it('a signing key removed from the store stops verifying within five minutes, cached or not', async () => {
    const t = await makeTestApp((now) => factory.make(now));
    await t.register('keyed');
    const { token } = await t.login('keyed');
    expect((await t.call('/verify', { body: { token } })).status).toBe(200);
    const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(await t.store.delete(signingKeyKey(kid))).toBe(true);
    t.clock.advance(5 * 60_000);
    const res = await t.call('/verify', { body: { token } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'invalid_token' });
  });
});

describe('the dummy hash of unknown names', () => {
  it('is made again after a failure, so unknown names do not fail where known ones succeed', async () => {
    let calls = 0;
    const failingOnce = argon2Hasher(undefined, {
      engine: {
        hash: async (...args: Parameters<typeof import('@node-rs/argon2').hash>) => {
          if (calls++ === 0) throw new Error('thread pool exhausted');
          const { hash } = await import('@node-rs/argon2');
          return hash(...args);
        },
        verify: (await import('@node-rs/argon2')).verify,
      },
    });
    await expect(failingOnce.dummyHash()).rejects.toThrow('thread pool exhausted');
    await expect(failingOnce.dummyHash()).resolves.toMatch(/^\$argon2id\$/);
  });
});
