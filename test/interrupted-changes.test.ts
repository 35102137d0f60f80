import { beforeEach, describe, expect, it } from 'vitest';
import { removeUser } from '../src/core/account-removal';
import { SESSION_PREFIX } from '../src/core/records';
import { StoreUnavailableError } from '../src/store/store';
import { bearer, PASSWORD, type TestApp } from './helpers/app';
import { type Interruptible, interruptibleApp } from './helpers/interruptible-store';
import { linkOf, nthMailTo } from './helpers/mailbox';
import { storeFactories } from './helpers/stores';

const NEW_PASSWORD = 'a brand new and long passphrase';

/** Refuses the nth listing of a user's sessions from now: the moment a change's sessions are to be ended. */
const sessionListing = (nth: number, faults: Interruptible) => faults.failNth(nth, (read) => read.method === 'list' && read.options?.prefix === SESSION_PREFIX);

describe.each(storeFactories)('a change that ends sessions, cut off by the store, on $name', (factory) => {
  let t: TestApp;
  let faults: Interruptible;
  beforeEach(async () => {
    ({ t, faults } = await interruptibleApp(factory));
    await t.register('ada', PASSWORD, { email: 'ada@example.com' });
    expect((await t.call('/email/verify', { body: { token: linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1), 'verify') } })).status).toBe(200);
  });

  const verifies = async (token: string) => (await t.call('/verify', { body: { token } })).status;
  const refreshes = async (refreshToken: string) => (await t.call('/token/refresh', { body: { refreshToken } })).status;
  const logsIn = async (password: string) => (await t.call('/login', { body: { username: 'ada', password } })).status;
  const resetLink = async () => {
    expect((await t.call('/password/forgot', { body: { username: 'ada' } })).status).toBe(202);
    return linkOf(await nthMailTo(t.outbox, 'ada@example.com', 2), 'reset');
  };
  const reset = (token: string) => t.call('/password/reset', { body: { token, newPassword: NEW_PASSWORD } });

  it('a password reset cut off after the new password landed leaves no earlier session alive', async () => {
    const earlier = await t.login('ada');
    const token = await resetLink();
    sessionListing(2, faults);
    const cut = await reset(token);
    expect(cut.status).toBe(503);
    expect(await cut.json()).toMatchObject({ code: 'store_unavailable' });
    // The earlier session was ended before the password changed: neither its token nor its refresh works.
    expect(await verifies(earlier.token)).toBe(401);
    expect(await refreshes(earlier.refreshToken)).toBe(401);
    expect(await logsIn(PASSWORD)).toBe(401);
    expect(await logsIn(NEW_PASSWORD)).toBe(200);
    // The link was spent with the change.
    expect((await reset(token)).status).toBe(400);
  });

  it('a password reset cut off before the new password landed changes nothing, and the same request then succeeds', async () => {
    const earlier = await t.login('ada');
    const token = await resetLink();
    sessionListing(1, faults);
    expect((await reset(token)).status).toBe(503);
    expect(await verifies(earlier.token)).toBe(200);
    expect(await logsIn(PASSWORD)).toBe(200);
    const again = await reset(token);
    expect(again.status).toBe(200);
    // The session from before and the one the old password just opened.
    expect(await again.json()).toMatchObject({ ended: 2 });
    expect(await verifies(earlier.token)).toBe(401);
    expect(await logsIn(NEW_PASSWORD)).toBe(200);
  });

  it('a password change cut off after the new password landed leaves no other session alive, and keeps the one that asked', async () => {
    const other = await t.login('ada');
    const me = await t.login('ada');
    sessionListing(2, faults);
    const change = () => t.call('/password', { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, headers: bearer(me.token) });
    expect((await change()).status).toBe(503);
    expect(await verifies(other.token)).toBe(401);
    expect(await refreshes(other.refreshToken)).toBe(401);
    expect(await verifies(me.token)).toBe(200);
    expect(await logsIn(PASSWORD)).toBe(401);
    expect(await logsIn(NEW_PASSWORD)).toBe(200);
  });

  it('a password change cut off before the new password landed changes nothing, and the same request then succeeds', async () => {
    const other = await t.login('ada');
    const me = await t.login('ada');
    sessionListing(1, faults);
    const change = () => t.call('/password', { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, headers: bearer(me.token) });
    expect((await change()).status).toBe(503);
    expect(await verifies(other.token)).toBe(200);
    const again = await change();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ ended: 1 });
    expect(await verifies(other.token)).toBe(401);
    expect(await verifies(me.token)).toBe(200);
  });

  it('a removal cut off after the account went leaves no session, so a new account of the name inherits none', async () => {
    const earlier = await t.login('ada');
    sessionListing(2, faults);
    await expect(removeUser(faults.store, 'ada')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await verifies(earlier.token)).toBe(401);
    expect((await t.register('ada', NEW_PASSWORD)).status).toBe(201);
    expect((await t.call('/user/myprofile', { headers: bearer(earlier.token) })).status).toBe(401);
    expect(await refreshes(earlier.refreshToken)).toBe(401);
    // The name is the new account's now: removing it again takes that account, which has no session yet.
    expect(await removeUser(faults.store, 'ada')).toMatchObject({ user: true, sessions: 0 });
  });
});
