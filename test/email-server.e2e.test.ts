import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkOf, recipients } from './helpers/mailbox';
import { fragmentToken, readOutbox } from './helpers/outbox';
import { postJson, type RunningServer, startServer } from './helpers/server';
import { serverStores } from './helpers/server-stores';
import { type SesEndpoint, startSesEndpoint } from './helpers/ses-endpoint';
import { type SinkMessage, type SmtpSink, startSmtpSink } from './helpers/smtp-sink';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-email-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'a long and unusual passphrase';
const NEW_PASSWORD = 'a brand new and long passphrase';
const FROM = 'Gatehouse Test <no-reply@gatehouse.test>';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The nth mail (1-based) the sink received for an address, waiting for it. */
async function nth(sink: SmtpSink, address: string, n: number): Promise<SinkMessage> {
  await expect.poll(() => sink.messages.filter((m) => m.envelope.to.includes(address)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(n);
  return sink.messages.filter((m) => m.envelope.to.includes(address))[n - 1]!;
}

describe.each(serverStores)('every email flow through the real server and a real SMTP server, on $name', (kind) => {
  let sink: SmtpSink;
  let server: RunningServer;
  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startServer({ ...kind.env(dir, 'email-flows'), AUTH_MAIL: sink.url, AUTH_MAIL_FROM: FROM });
  });
  afterAll(async () => {
    await server?.stop();
    await sink?.stop();
  });

  const login = async (username: string, password = PASSWORD) => {
    const res = await postJson(`${server.url}/login`, { username, password });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.response.token as string;
  };
  const profile = async (token: string) => (await fetch(`${server.url}/user/myprofile`, { headers: bearer(token) })).json();

  it('names the mail transport in its start-up line', () => {
    expect(server.output()).toMatch(/Gatehouse listening on http:\/\/localhost:\d+ \(store: .*; mail: smtp:\/\/127\.0\.0\.1:\d+; secrets sealed with /);
  });

  it('registers with an email, mails the link, and confirms the address from it', async () => {
    const registered = await postJson(`${server.url}/register`, { name: 'Ada Lovelace', username: 'ada', password: PASSWORD, email: 'ada@example.com' });
    expect(registered.status).toBe(201);
    const mail = await nth(sink, 'ada@example.com', 1);
    expect(mail.envelope.from).toBe('no-reply@gatehouse.test');
    expect(mail.parsed.from?.value).toEqual([{ name: 'Gatehouse Test', address: 'no-reply@gatehouse.test' }]);
    expect(mail.parsed.subject).toBe('Confirm your email address for Gatehouse Test');
    expect(mail.parsed.text).toContain('Hello Ada Lovelace,');
    expect(mail.parsed.html).toContain(`href="${server.url.replace('127.0.0.1', 'localhost')}/#verify=`);
    const token = await login('ada');
    expect(await profile(token)).toMatchObject({ email: 'ada@example.com', emailVerified: false });

    const confirmed = await postJson(`${server.url}/email/verify`, { token: linkOf(mail, 'verify') });
    expect(confirmed).toMatchObject({ status: 200, body: { message: 'Email address verified', email: 'ada@example.com' } });
    expect(await profile(token)).toMatchObject({ email: 'ada@example.com', emailVerified: true });
  });

  it('sends a new confirmation link on request', async () => {
    await postJson(`${server.url}/register`, { name: 'Bob', username: 'bob', password: PASSWORD, email: 'bob@example.com' });
    const first = await nth(sink, 'bob@example.com', 1);
    const token = await login('bob');
    const resent = await postJson(`${server.url}/email/verify/resend`, {}, bearer(token));
    expect(resent).toMatchObject({ status: 202, body: { email: 'bob@example.com' } });
    const second = await nth(sink, 'bob@example.com', 2);
    expect((await postJson(`${server.url}/email/verify`, { token: linkOf(first, 'verify') })).status).toBe(400);
    expect((await postJson(`${server.url}/email/verify`, { token: linkOf(second, 'verify') })).status).toBe(200);
  });

  it('changes the address: the link to the new one, a word to the old one, the change when the link is used', async () => {
    const token = await login('ada');
    const asked = await postJson(`${server.url}/email`, { email: 'ada@lovelace.example', currentPassword: PASSWORD }, bearer(token));
    expect(asked.status).toBe(202);
    const link = await nth(sink, 'ada@lovelace.example', 1);
    const told = await nth(sink, 'ada@example.com', 2);
    expect(told.parsed.subject).toBe('Your Gatehouse Test email address is being changed');
    expect(await profile(token)).toMatchObject({ email: 'ada@example.com' });
    expect((await postJson(`${server.url}/email/verify`, { token: linkOf(link, 'verify') })).status).toBe(200);
    expect(await profile(token)).toMatchObject({ email: 'ada@lovelace.example', emailVerified: true });
    expect((await nth(sink, 'ada@example.com', 3)).parsed.subject).toBe('Your Gatehouse Test email address was changed');
  });

  it('resets a forgotten password from the mailed link: every session ends, the new password works, the address is told', async () => {
    const session = await login('ada');
    const asked = await postJson(`${server.url}/password/forgot`, { email: 'ada@lovelace.example' });
    expect(asked).toMatchObject({ status: 202, body: { message: 'If the account exists and has a verified email, a reset link is on its way' } });
    const mail = await nth(sink, 'ada@lovelace.example', 2);
    expect(mail.parsed.subject).toBe('Reset your Gatehouse Test password');
    if (kind.name === 'sqlite') {
      // The mail as it arrived, for the record (headers and the text part).
      const head = mail.raw.toString('utf8').split('\r\n\r\n')[0];
      console.log(`--- the reset mail as received by the SMTP server ---\n${head}\n\n${mail.parsed.text}--- end ---`);
    }
    const reset = await postJson(`${server.url}/password/reset`, { token: linkOf(mail, 'reset'), newPassword: NEW_PASSWORD });
    expect(reset).toMatchObject({ status: 200, body: { message: 'Password reset; every session has been ended', ended: expect.any(Number) } });
    expect(reset.body.ended).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${server.url}/user/myprofile`, { headers: bearer(session) })).status).toBe(401);
    expect((await postJson(`${server.url}/login`, { username: 'ada', password: PASSWORD })).status).toBe(401);
    await login('ada', NEW_PASSWORD);
    expect((await nth(sink, 'ada@lovelace.example', 3)).parsed.subject).toBe('Your Gatehouse Test password was reset');
    expect((await postJson(`${server.url}/password/reset`, { token: linkOf(mail, 'reset'), newPassword: 'and yet another passphrase' })).status).toBe(400);
  });

  it('sends no reset link to an address that was never confirmed, nor for nobody; the answers are the same', async () => {
    await postJson(`${server.url}/register`, { name: 'Carol', username: 'carol', password: PASSWORD, email: 'carol@example.com' });
    await nth(sink, 'carol@example.com', 1);
    const answers = await Promise.all([{ username: 'carol' }, { username: 'nobody' }].map((body) => postJson(`${server.url}/password/forgot`, body)));
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [202, { message: 'If the account exists and has a verified email, a reset link is on its way' }],
      [202, { message: 'If the account exists and has a verified email, a reset link is on its way' }],
    ]);
    // A later mail to a verified address shows that the work after those answers has run.
    await postJson(`${server.url}/password/forgot`, { username: 'bob' });
    await nth(sink, 'bob@example.com', 3);
    expect(sink.messages.filter((m) => m.envelope.to.includes('carol@example.com'))).toHaveLength(1);
  });
});

describe('the file: outbox, as `npm start` sets it up for a newcomer', () => {
  it('writes each mail to .data/outbox under the working folder, with a link that works', async () => {
    const cwd = join(dir, 'newcomer');
    mkdirSync(cwd);
    const server = await startServer({ AUTH_MAIL: '', AUTH_MAIL_FROM: '', AUTH_SQLITE_FILE: '', AUTH_KEY_FILE: '' }, { cwd });
    try {
      expect(server.output()).toMatch(/\(store: sqlite .*; mail: file:\.data\/outbox; secrets sealed with /);
      await postJson(`${server.url}/register`, { name: 'Ada', username: 'ada', password: PASSWORD, email: 'ada@example.com' });
      const [mail, ...rest] = await readOutbox(join(cwd, '.data', 'outbox'));
      expect(rest).toEqual([]);
      expect(recipients(mail!.parsed)).toEqual(['ada@example.com']);
      expect(mail!.parsed.from?.value).toEqual([{ name: 'Gatehouse', address: 'no-reply@localhost' }]);
      expect(mail!.file).toMatch(/^\d{8}T\d{9}Z-\d{6}-[0-9a-f]{8}\.eml$/);
      const token = fragmentToken(mail!.parsed.text, 'verify');
      expect(mail!.parsed.text).toContain(`http://localhost:${new URL(server.url).port}/#verify=`);
      expect((await postJson(`${server.url}/email/verify`, { token })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start on a malformed AUTH_MAIL, with one line naming it', async () => {
    await expect(startServer({ AUTH_MAIL: 'smtp://', AUTH_SQLITE_FILE: join(dir, 'bad.db') })).rejects.toThrow(
      /server exited with 1:\nInvalid configuration: AUTH_MAIL="smtp:\/\/": .*\n$/,
    );
  });
});

describe('Amazon SES through the real server and @aws-sdk/client-sesv2', () => {
  let ses: SesEndpoint;
  let server: RunningServer;
  beforeAll(async () => {
    ses = await startSesEndpoint();
    server = await startServer({
      AUTH_SQLITE_FILE: join(dir, 'ses.db'),
      AUTH_MAIL: 'ses',
      AUTH_MAIL_FROM: 'Gatehouse <no-reply@gatehouse.test>',
      AUTH_APP_URL: 'https://app.gatehouse.test',
      AWS_ENDPOINT_URL_SESV2: ses.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await ses?.close();
  });

  it('sends each mail as one SendEmail request shaped as AWS documents it, and the link works', async () => {
    expect(server.output()).toContain(`mail: ses (eu-west-1) at ${ses.url}`);
    await postJson(`${server.url}/register`, { name: 'Ada', username: 'ada', password: PASSWORD, email: 'ada@example.com' });
    await expect.poll(() => ses.requests.length).toBe(1);
    const [request] = ses.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/v2/email/outbound-emails');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/ses\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
    );
    const body = request!.body as any;
    expect(body).toEqual({
      FromEmailAddress: 'Gatehouse <no-reply@gatehouse.test>',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Confirm your email address for Gatehouse', Charset: 'UTF-8' },
          Body: { Text: { Data: expect.any(String), Charset: 'UTF-8' }, Html: { Data: expect.any(String), Charset: 'UTF-8' } },
          Headers: [{ Name: 'Auto-Submitted', Value: 'auto-generated' }],
        },
      },
    });
    const text: string = body.Content.Simple.Body.Text.Data;
    expect(text).toContain('https://app.gatehouse.test/#verify=');
    expect((await postJson(`${server.url}/email/verify`, { token: fragmentToken(text, 'verify') })).status).toBe(200);
  });

  it('answers 503 mail_unavailable when SES refuses, and sends the next one when it takes mail again', async () => {
    await postJson(`${server.url}/register`, { name: 'Bob', username: 'bob', password: PASSWORD, email: 'bob@example.com' });
    const login = await postJson(`${server.url}/login`, { username: 'bob', password: PASSWORD });
    const token = login.body.response.token as string;
    ses.failWith({ status: 400, type: 'MessageRejected', message: 'Email address is not verified.' });
    const refused = await postJson(`${server.url}/email/verify/resend`, {}, bearer(token));
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ message: 'Mail cannot be sent right now; nothing was changed, try again later', code: 'mail_unavailable' });
    ses.failWith(undefined);
    const sent = await postJson(`${server.url}/email/verify/resend`, {}, bearer(token));
    expect(sent.status).toBe(202);
  });
});
