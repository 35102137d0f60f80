import { describe, expect, it } from 'vitest';
import { type EmailTokenRecord, prepareEmailToken, spendEmailToken } from '../src/core/email-tokens';
import { AuthError } from '../src/core/errors';
import { type UserRecord, userKey } from '../src/core/records';
import type { Item, Store } from '../src/store/store';
import { storeFactories } from './helpers/stores';

const invalid = () => new AuthError('invalid_email_token', undefined, 'token');
const clock = { now: () => Date.now() };

async function setUp(store: Store): Promise<Item<EmailTokenRecord>> {
  const user: UserRecord = {
    username: 'ada',
    name: 'Ada',
    passwordHash: 'x',
    email: 'ada@example.com',
    emailVerified: false,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  await store.create({ ...userKey('ada'), data: user });
  const { item } = await prepareEmailToken(clock, 900, user, 'verify', 'ada@example.com');
  await store.create(item);
  return (await store.get<EmailTokenRecord>(item))!;
}

const readUser = (store: Store) => async () => (await store.get<UserRecord>(userKey('ada')))!;
const confirm = (user: Item<UserRecord>) =>
  Promise.resolve([{ type: 'update' as const, key: userKey('ada'), changes: { set: { emailVerified: true } }, ifVersion: user.version }]);

describe.each(storeFactories)('spending an email link on $name', (factory) => {
  it('makes the change and spends the link in one transaction, over the user it read', async () => {
    const store = await factory.make(clock.now);
    const link = await setUp(store);
    const over = await spendEmailToken(store, link, readUser(store), confirm, invalid);
    expect(over.data.username).toBe('ada');
    expect((await store.get<UserRecord>(userKey('ada')))?.data.emailVerified).toBe(true);
    expect(await store.get(link)).toBeUndefined();
  });

  it('tries again over the user read afresh when the user changed in between, and answers with that user', async () => {
    const store = await factory.make(clock.now);
    const link = await setUp(store);
    let calls = 0;
    const over = await spendEmailToken(
      store,
      link,
      readUser(store),
      async (user) => {
        // Another write lands between the read and the transaction, once.
        if (calls++ === 0) await store.update(userKey('ada'), { set: { name: 'Ada L.' } });
        return confirm(user);
      },
      invalid,
    );
    expect(calls).toBe(2);
    expect(over.data.name).toBe('Ada L.');
    expect((await store.get<UserRecord>(userKey('ada')))?.data).toMatchObject({ name: 'Ada L.', emailVerified: true });
    expect(await store.get(link)).toBeUndefined();
  });

  it('answers invalid when another request spent the link first, and changes nothing', async () => {
    const store = await factory.make(clock.now);
    const link = await setUp(store);
    const spending = spendEmailToken(
      store,
      link,
      readUser(store),
      async (user) => {
        await store.delete(link);
        return confirm(user);
      },
      invalid,
    );
    await expect(spending).rejects.toMatchObject({ code: 'invalid_email_token' });
    expect((await store.get<UserRecord>(userKey('ada')))?.data.emailVerified).toBe(false);
  });

  it('gives up with conflict after three tries when the user keeps changing, and the link stays', async () => {
    const store = await factory.make(clock.now);
    const link = await setUp(store);
    let calls = 0;
    const spending = spendEmailToken(
      store,
      link,
      readUser(store),
      async (user) => {
        calls++;
        await store.update(userKey('ada'), { set: { name: `Ada ${calls}` } });
        return confirm(user);
      },
      invalid,
    );
    await expect(spending).rejects.toMatchObject({ code: 'conflict' });
    expect(calls).toBe(3);
    expect((await store.get<UserRecord>(userKey('ada')))?.data.emailVerified).toBe(false);
    expect(await store.get(link)).toBeDefined();
  });
});
