import { createServer } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../src/core/logger';
import { EMAIL_TOKEN_PREFIX, emailKey, emailTokenKey, userKey } from '../src/core/records';
import { createMailSender } from '../src/mail/mail-sender';
import { bearer, makeTestApp, PASSWORD, type TestApp } from './helpers/app';
import { alterOne } from './helpers/forge';
import { linkOf, mailsTo, nthMailTo } from './helpers/mailbox';
import { storeFactories } from './helpers/stores';

/** A port on which nothing listens: an SMTP server that is down. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A logger that keeps what it is told, to see what a failure left in the log. */
function keptLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  return { logger, lines };
}

describe.each(storeFactories)('email verification and change on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
  });
  const profile = async (token: string) => (await t.call('/user/myprofile', { headers: bearer(token) })).json();
  const confirm = (token: unknown) => t.call('/email/verify', { body: { token } });

  describe('registering with an email', () => {
    it('stores the address unconfirmed, only the hash of the link, and mails the link', async () => {
      expect((await t.register('ada', PASSWORD, { email: 'Ada@Example.com' })).status).toBe(201);
      const user = await t.store.get(userKey('ada'));
      expect(user?.data).toMatchObject({ email: 'ada@example.com', emailVerified: false });
      const mail = await nthMailTo(t.outbox, 'ada@example.com', 1);
      expect(mail.parsed.subject).toBe('Confirm your email address for Gatehouse');
      const token = linkOf(mail, 'verify');
      expect(mail.parsed.text).toContain(`http://localhost:3000/#verify=${token}`);
      const record = await t.store.get(emailTokenKey('ada', 'verify'));
      expect(record?.data).toMatchObject({ purpose: 'verify', address: 'ada@example.com', hash: expect.stringMatching(/^[\w-]{43}$/) });
      expect(JSON.stringify(record)).not.toContain(token.split('.')[2]);
      expect(record?.expiresAt).toBe(t.clock.now() + 900_000);
      const { token: access } = await t.login('ada');
      expect(await profile(access)).toMatchObject({ email: 'ada@example.com', emailVerified: false });
    });

    it('still registers when the mail cannot be sent, and logs it with the request id', async () => {
      const { logger, lines } = keptLogger();
      const mailer = createMailSender({ kind: 'smtp', url: `smtp://127.0.0.1:${await deadPort()}`, from: 'Gatehouse <no-reply@localhost>' });
      const app = await makeTestApp((now) => factory.make(now), { mailer, logger });
      const res = await app.register('ada', PASSWORD, { email: 'ada@example.com' });
      expect(res.status).toBe(201);
      const failure = lines.find((line) => line.message === 'mail not sent');
      expect(failure?.fields).toMatchObject({ mail: 'verify-address', requestId: res.headers.get('x-request-id') });
      expect(String(failure?.fields?.error)).toMatch(/^Mail could not be sent through smtp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
      // The account is there, unconfirmed; a new link can be asked for once logged in.
      expect((await app.store.get(userKey('ada')))?.data).toMatchObject({ emailVerified: false });
    });

    it('needs no mail for an account without an address, and says emailVerified: false', async () => {
      await t.register('bob');
      const { token } = await t.login('bob');
      expect(await profile(token)).toEqual({
        username: 'bob',
        name: 'Name of bob',
        createdAt: expect.any(String),
        emailVerified: false,
        amr: ['pwd'],
        mfa: { totp: false, recoveryCodesLeft: 0 },
      });
    });
  });

  describe('POST /email/verify', () => {
    beforeEach(async () => {
      await t.register('ada', PASSWORD, { email: 'ada@example.com' });
    });

    it('confirms the address once; the link is spent', async () => {
      const token = linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1), 'verify');
      const res = await confirm(token);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Email address verified', email: 'ada@example.com' });
      expect((await t.store.get(userKey('ada')))?.data.emailVerified).toBe(true);
      expect(await t.store.get(emailTokenKey('ada', 'verify'))).toBeUndefined();
      const again = await confirm(token);
      expect(again.status).toBe(400);
      expect(await again.json()).toEqual({
        message: 'This link is not valid: it has expired, was already used, or was changed on its way',
        code: 'invalid_email_token',
        field: 'token',
      });
      const { token: access } = await t.login('ada');
      expect(await profile(access)).toMatchObject({ emailVerified: true });
    });

    it('refuses an unknown, altered, expired or other-purpose token with 400 invalid_email_token, changing nothing', async () => {
      const token = linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1), 'verify');
      const [name, , secret] = token.split('.');
      for (const bad of ['nonsense', alterOne(token), `${name}.r.${secret}`, `${name}.c.${secret}`, `${token}x`, `Ym9i.v.${secret}`]) {
        const res = await confirm(bad);
        expect(res.status, bad).toBe(400);
        expect((await res.json()).code).toBe('invalid_email_token');
      }
      t.clock.advance(900_001);
      expect((await confirm(token)).status).toBe(400);
      expect((await t.store.get(userKey('ada')))?.data.emailVerified).toBe(false);
      expect((await confirm('')).status).toBe(400);
    });

    it('lets a link work only once when two arrive together', async () => {
      const token = linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1), 'verify');
      const statuses = (await Promise.all([confirm(token), confirm(token), confirm(token)])).map((res) => res.status).sort();
      expect(statuses).toEqual([200, 400, 400]);
    });
  });

  describe('POST /email/verify/resend', () => {
    let access: string;
    beforeEach(async () => {
      await t.register('ada', PASSWORD, { email: 'ada@example.com' });
      ({ token: access } = await t.login('ada'));
    });
    const resend = (token = access) => t.call('/email/verify/resend', { method: 'POST', headers: bearer(token) });

    it('sends a new link to the current address; the one before stops working', async () => {
      const first = linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1), 'verify');
      const res = await resend();
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ message: 'A new confirmation link is on its way to ada@example.com', email: 'ada@example.com' });
      const mail = await nthMailTo(t.outbox, 'ada@example.com', 2);
      expect(mail.parsed.text).toContain('To confirm that this is the email address of your Gatehouse account');
      const second = linkOf(mail, 'verify');
      expect((await confirm(first)).status).toBe(400);
      expect((await confirm(second)).status).toBe(200);
      // Confirmed: nothing more to send.
      const done = await resend();
      expect(done.status).toBe(409);
      expect((await done.json()).code).toBe('email_already_verified');
    });

    it('asks for a session, and an address', async () => {
      expect((await t.call('/email/verify/resend', { method: 'POST' })).status).toBe(401);
      await t.register('bob');
      const { token } = await t.login('bob');
      const res = await resend(token);
      expect(res.status).toBe(409);
      expect((await res.json()).code).toBe('no_email');
    });

    it('sends an account at most 5 mails an hour: then 429 with Retry-After', async () => {
      // Registration's own mail is not counted: five more.
      for (let i = 0; i < 5; i++) expect((await resend()).status).toBe(202);
      const refused = await resend();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
      expect(await mailsTo(t.outbox, 'ada@example.com')).toHaveLength(6);
      t.clock.advance(3_600_001);
      expect((await resend((await t.login('ada')).token)).status).toBe(202);
    });

    it('answers 503 mail_unavailable when the mail cannot go, and leaves no link that nobody was sent', async () => {
      const { logger, lines } = keptLogger();
      const mailer = createMailSender({ kind: 'smtp', url: `smtp://127.0.0.1:${await deadPort()}`, from: 'Gatehouse <no-reply@localhost>' });
      const app = await makeTestApp(() => t.store, { mailer, logger, clock: t.clock });
      const res = await app.call('/email/verify/resend', { method: 'POST', headers: bearer(access) });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ message: 'Mail cannot be sent right now; nothing was changed, try again later', code: 'mail_unavailable' });
      expect(lines.find((line) => line.message === 'mail unavailable')?.fields?.requestId).toBe(res.headers.get('x-request-id'));
      expect(await app.store.list(userKey('ada').pk, { prefix: EMAIL_TOKEN_PREFIX })).toEqual([]);
    });
  });

  describe('POST /email (change the address)', () => {
    let access: string;
    beforeEach(async () => {
      await t.register('ada', PASSWORD, { email: 'ada@example.com' });
      await confirm(linkOf(await nthMailTo(t.outbox, 'ada@example.com', 1), 'verify'));
      ({ token: access } = await t.login('ada'));
    });
    const change = (email: string, currentPassword = PASSWORD) => t.call('/email', { body: { email, currentPassword }, headers: bearer(access) });

    it('mails the new address a link and tells the old one; the address and its claim move only when the link is used', async () => {
      const res = await change('Ada.Lovelace@Example.org');
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({
        message: 'A confirmation link is on its way to ada.lovelace@example.org; the address changes once it is opened',
        email: 'ada.lovelace@example.org',
      });
      const told = await nthMailTo(t.outbox, 'ada@example.com', 2);
      expect(told.parsed.subject).toBe('Your Gatehouse email address is being changed');
      expect(told.parsed.text).toContain('a…@example.org');
      expect(told.parsed.text).not.toContain('#verify=');
      const link = await nthMailTo(t.outbox, 'ada.lovelace@example.org', 1);
      expect(link.parsed.subject).toBe('Confirm your new email address for Gatehouse');
      // Nothing has changed yet.
      expect(await profile(access)).toMatchObject({ email: 'ada@example.com', emailVerified: true });
      expect((await t.store.get(emailKey('ada@example.com')))?.data).toEqual({ username: 'ada' });
      expect(await t.store.get(emailKey('ada.lovelace@example.org'))).toBeUndefined();

      const confirmed = await confirm(linkOf(link, 'verify'));
      expect(confirmed.status).toBe(200);
      expect(await confirmed.json()).toEqual({ message: 'Email address verified', email: 'ada.lovelace@example.org' });
      expect(await profile(access)).toMatchObject({ email: 'ada.lovelace@example.org', emailVerified: true });
      expect(await t.store.get(emailKey('ada@example.com'))).toBeUndefined();
      expect((await t.store.get(emailKey('ada.lovelace@example.org')))?.data).toEqual({ username: 'ada' });
      const changed = await nthMailTo(t.outbox, 'ada@example.com', 3);
      expect(changed.parsed.subject).toBe('Your Gatehouse email address was changed');
      // The old address is free for someone else.
      expect((await t.register('bob', PASSWORD, { email: 'ada@example.com' })).status).toBe(201);
    });

    it('adds an address to an account that had none (nobody to tell)', async () => {
      await t.register('bob');
      const { token } = await t.login('bob');
      expect((await t.call('/email', { body: { email: 'bob@example.com', currentPassword: PASSWORD }, headers: bearer(token) })).status).toBe(202);
      expect((await confirm(linkOf(await nthMailTo(t.outbox, 'bob@example.com', 1), 'verify'))).status).toBe(200);
      expect(await profile(token)).toMatchObject({ email: 'bob@example.com', emailVerified: true });
    });

    it('needs the current password, counted like a failed login', async () => {
      const wrong = await change('new@example.org', 'not my password at all');
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toEqual({ message: 'Current password is wrong', code: 'wrong_password', field: 'currentPassword' });
      for (let i = 0; i < 4; i++) expect((await change('new@example.org', `wrong ${i} again and again`)).status).toBe(403);
      const locked = await change('new@example.org');
      expect(locked.status).toBe(429);
      expect(await mailsTo(t.outbox, 'new@example.org')).toEqual([]);
    });

    it('refuses an address another account has (409 email_taken), its own, or a malformed one', async () => {
      await t.register('bob', PASSWORD, { email: 'bob@example.com' });
      const taken = await change('BOB@example.com');
      expect(taken.status).toBe(409);
      expect(await taken.json()).toEqual({ message: 'That email address belongs to another account', code: 'email_taken', field: 'email' });
      const same = await change('ada@example.com');
      expect(same.status).toBe(400);
      expect((await same.json()).field).toBe('email');
      expect((await change('not an address')).status).toBe(400);
      expect(await mailsTo(t.outbox, 'bob@example.com')).toHaveLength(1);
    });

    it('keeps everything when the address is taken before the link is used, and the link then answers 409', async () => {
      await change('shared@example.org');
      const link = linkOf(await nthMailTo(t.outbox, 'shared@example.org', 1), 'verify');
      expect((await t.register('bob', PASSWORD, { email: 'shared@example.org' })).status).toBe(201);
      const res = await confirm(link);
      expect(res.status).toBe(409);
      expect((await res.json()).code).toBe('email_taken');
      expect(await profile(access)).toMatchObject({ email: 'ada@example.com', emailVerified: true });
      expect((await t.store.get(emailKey('ada@example.com')))?.data).toEqual({ username: 'ada' });
      expect((await t.store.get(emailKey('shared@example.org')))?.data).toEqual({ username: 'bob' });
    });

    it('tells the confirmed address when the password is changed (and an unconfirmed one nothing)', async () => {
      const changed = await t.call('/password', { body: { currentPassword: PASSWORD, newPassword: 'a different long passphrase' }, headers: bearer(access) });
      expect(changed.status).toBe(200);
      const told = await nthMailTo(t.outbox, 'ada@example.com', 2);
      expect(told.parsed.subject).toBe('Your Gatehouse password was changed');
      expect(told.parsed.text).not.toMatch(/#(verify|reset)=/);
      await t.register('bob', PASSWORD, { email: 'bob@example.com' });
      const { token } = await t.login('bob');
      expect(
        (await t.call('/password', { body: { currentPassword: PASSWORD, newPassword: 'a different long passphrase' }, headers: bearer(token) })).status,
      ).toBe(200);
      expect(await mailsTo(t.outbox, 'bob@example.com')).toHaveLength(1);
    });

    it('lets a link asked for before a password change die with it', async () => {
      await change('new@example.org');
      const link = linkOf(await nthMailTo(t.outbox, 'new@example.org', 1), 'verify');
      const changed = await t.call('/password', { body: { currentPassword: PASSWORD, newPassword: 'a different long passphrase' }, headers: bearer(access) });
      expect(changed.status).toBe(200);
      expect((await confirm(link)).status).toBe(400);
      expect((await t.store.get(userKey('ada')))?.data.email).toBe('ada@example.com');
    });
  });
});
