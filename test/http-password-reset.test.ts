import { beforeEach, describe, expect, it } from 'vitest';
import { emailTokenKey, userKey } from '../src/core/records';
import { bearer, CLIENT_HEADER, makeTestApp, PASSWORD, type TestApp } from './helpers/app';
import { alterOne } from './helpers/forge';
import { linkOf, mailsTo, nthMailTo } from './helpers/mailbox';
import { storeFactories } from './helpers/stores';

const ANSWER = { message: 'If the account exists and has a verified email, a reset link is on its way' };
const NEW_PASSWORD = 'a brand new and long passphrase';

describe.each(storeFactories)('forgotten password on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    // ada: a verified address; bob: an address never confirmed; carol: no address.
    await t.register('ada', PASSWORD, { email: 'ada@example.com' });
    await t.call('/email/verify', { body: { token: linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1), 'verify') } });
    await t.register('bob', PASSWORD, { email: 'bob@example.com' });
    await t.register('carol');
  });
  const forgot = (body: unknown, client = '198.51.100.1') => t.call('/password/forgot', { body, headers: { [CLIENT_HEADER]: client } });
  const reset = (token: unknown, newPassword: unknown = NEW_PASSWORD) => t.call('/password/reset', { body: { token, newPassword } });
  const resetLink = async (count = 1) => linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1 + count), 'reset');

  describe('POST /password/forgot', () => {
    it('answers 202 with the same body for an account with a verified address, one without, and nobody', async () => {
      for (const body of [
        { username: 'ada' },
        { email: 'ADA@example.com' },
        { username: 'bob' },
        { email: 'bob@example.com' },
        { username: 'carol' },
        { username: 'nobody' },
        { email: 'nobody@example.com' },
      ]) {
        const res = await forgot(body);
        expect(res.status, JSON.stringify(body)).toBe(202);
        expect(await res.json()).toEqual(ANSWER);
      }
      // Only the verified address gets links: one by name, one by address.
      const first = await nthMailTo(t.outbox, 'ada@example.com', 3);
      expect(first.parsed.subject).toBe('Reset your Gatehouse password');
      expect(first.parsed.text).toContain('(username: ada)');
      expect(first.parsed.text).toMatch(/http:\/\/localhost:3000\/#reset=[\w-]+\.r\.[\w-]{43}/);
      expect(await mailsTo(t.outbox, 'bob@example.com')).toHaveLength(1);
      expect(await mailsTo(t.outbox, 'nobody@example.com')).toEqual([]);
    });

    it('keeps one live link per account: the newer replaces the older', async () => {
      await forgot({ username: 'ada' });
      const older = await resetLink(1);
      await forgot({ email: 'ada@example.com' });
      const newer = await resetLink(2);
      expect((await reset(older)).status).toBe(400);
      expect((await reset(newer)).status).toBe(200);
    });

    it('refuses a malformed request with 400 naming the field, alike for every account', async () => {
      const cases: [unknown, string, string][] = [
        [{}, 'missing_field', 'username'],
        [{ username: 'ada', email: 'ada@example.com' }, 'invalid_field', 'email'],
        [{ username: 'A B' }, 'invalid_field', 'username'],
        [{ email: 'not-an-address' }, 'invalid_field', 'email'],
        [{ username: 42 }, 'invalid_field', 'username'],
      ];
      for (const [body, code, field] of cases) {
        const res = await forgot(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(await res.json()).toMatchObject({ code, field });
      }
    });

    it('limits each name to 5 requests an hour, answering an unknown name exactly like a real one', async () => {
      const answers: Record<string, string[]> = { ada: [], nobody: [] };
      for (let i = 0; i < 6; i++) {
        for (const username of ['ada', 'nobody']) {
          const res = await forgot({ username }, `198.51.100.${i}`);
          answers[username]!.push(`${res.status} ${res.headers.get('retry-after')} ${await res.text()}`);
        }
      }
      expect(answers.ada).toEqual(answers.nobody);
      expect(answers.ada!.slice(0, 5).every((line) => line.startsWith('202 null'))).toBe(true);
      expect(answers.ada![5]).toMatch(/^429 3600 \{"message":"Too many attempts; try again in 3600 seconds","code":"rate_limited"\}$/);
      await nthMailTo(t.outbox, 'ada@example.com', 6);
    });

    it('caps the mail-sending requests of one client across names', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await forgot({ username: `someone${i}` })).status);
      expect(statuses.slice(0, 30).every((status) => status === 202)).toBe(true);
      expect(statuses[30]).toBe(429);
      expect((await forgot({ username: 'ada' }, '198.51.100.99')).status).toBe(202);
    });
  });

  describe('POST /password/reset', () => {
    it('sets the new password, ends every session, spends the link and tells the address', async () => {
      const [one, two] = [await t.login('ada'), await t.login('ada')];
      await forgot({ username: 'ada' });
      const token = await resetLink();
      const res = await reset(token);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Password reset; every session has been ended', ended: 2 });
      for (const session of [one, two]) expect((await t.call('/user/myprofile', { headers: bearer(session.token) })).status).toBe(401);
      expect((await t.call('/login', { body: { username: 'ada', password: PASSWORD } })).status).toBe(401);
      expect((await t.login('ada', NEW_PASSWORD)).token).toBeTruthy();
      expect((await t.store.get(userKey('ada')))?.data.passwordVersion).toBe(1);
      expect(await t.store.get(emailTokenKey('ada', 'reset'))).toBeUndefined();
      const again = await reset(token, 'yet another long passphrase');
      expect(again.status).toBe(400);
      expect(await again.json()).toEqual({
        message: 'This reset link is not valid: it has expired, was already used, or was changed on its way',
        code: 'invalid_reset_token',
        field: 'token',
      });
      const told = await nthMailTo(t.outbox, 'ada@example.com', 3);
      expect(told.parsed.subject).toBe('Your Gatehouse password was reset');
      expect(told.parsed.text).not.toContain('#reset=');
    });

    it('applies the password policy and keeps the link for a better password', async () => {
      await forgot({ username: 'ada' });
      const token = await resetLink();
      for (const weak of ['short', 'ada', 'password123']) {
        const res = await reset(token, weak);
        expect(res.status, weak).toBe(400);
        expect(await res.json()).toMatchObject({ code: 'weak_password', field: 'newPassword' });
      }
      expect((await reset(token)).status).toBe(200);
    });

    it('refuses an unknown, altered, expired or verification token, and one for an address the account no longer has', async () => {
      await forgot({ username: 'ada' });
      const token = await resetLink();
      const [name, , secret] = token.split('.');
      for (const bad of ['nonsense', alterOne(token), `${name}.v.${secret}`]) {
        const res = await reset(bad);
        expect(res.status, bad).toBe(400);
        expect((await res.json()).code).toBe('invalid_reset_token');
      }
      t.clock.advance(900_001);
      expect((await reset(token)).status).toBe(400);
      t.clock.advance(-900_001);
      // The address changed after the link was sent: the link went to an address that is no longer the account's.
      await t.store.update(userKey('ada'), { set: { email: 'elsewhere@example.com' } });
      expect((await reset(token)).status).toBe(400);
      expect((await t.login('ada')).token).toBeTruthy();
    });

    it('leaves every other field of the user as it was (a second factor stays on)', async () => {
      const totp = { sealed: 'AAAA', confirmedAt: '2026-11-21T10:00:00.000Z' };
      await t.store.update(userKey('ada'), { set: { totp, recoveryCodes: ['x', 'y'] } });
      await forgot({ username: 'ada' });
      expect((await reset(await resetLink())).status).toBe(200);
      expect((await t.store.get(userKey('ada')))?.data).toMatchObject({ totp, recoveryCodes: ['x', 'y'], email: 'ada@example.com', emailVerified: true });
    });

    it('lets a reset link work once when two arrive together', async () => {
      await forgot({ username: 'ada' });
      const token = await resetLink();
      const statuses = (await Promise.all([reset(token), reset(token, 'another long passphrase 2')])).map((res) => res.status).sort();
      expect(statuses).toEqual([200, 400]);
    });
  });
});
