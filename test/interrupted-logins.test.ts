import { beforeEach, describe, expect, it } from 'vitest';
import { userKey } from '../src/core/records';
import { bearer, PASSWORD, type TestApp } from './helpers/app';
import { type Interruptible, interruptibleApp, type StoreRead } from './helpers/interruptible-store';
import { storeFactories } from './helpers/stores';

const isGet = (read: StoreRead, pk: string, sk: string) => read.method === 'get' && read.key.pk === pk && read.key.sk === sk;

describe.each(storeFactories)('a login cut off by the store after its session was written, on $name', (factory) => {
  let t: TestApp;
  let faults: Interruptible;
  beforeEach(async () => {
    ({ t, faults } = await interruptibleApp(factory));
    expect((await t.register('ada')).status).toBe(201);
  });

  /** The login answers 503, and the sessions a later login lists are its own alone. */
  async function leavesNoSession() {
    const cut = await t.call('/login', { body: { username: 'ada', password: PASSWORD } });
    expect(cut.status).toBe(503);
    expect(await cut.json()).toMatchObject({ code: 'store_unavailable' });
    const later = await t.login('ada');
    const listed = async () =>
      ((await (await t.call('/sessions', { method: 'GET', headers: bearer(later.token) })).json()) as { sessions: unknown[] }).sessions;
    await expect.poll(async () => (await listed()).length).toBe(1);
  }

  it('when the user cannot be read again, ends the session it wrote', async () => {
    // The first read of the user comes before the password check, the second after the session write.
    const { pk, sk } = userKey('ada');
    faults.failNth(2, (read) => isGet(read, pk, sk));
    await leavesNoSession();
  });

  it('when the failures counted meanwhile cannot be read, ends the session it wrote', async () => {
    // Read before the password check, and again once it was right (beside the session write).
    faults.failNth(2, (read) => isGet(read, 'THROTTLE#account#ada', 'count'));
    await leavesNoSession();
  });
});
