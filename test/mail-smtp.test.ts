import { createServer, type Server, type Socket } from 'node:net';
import type { AddressObject } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { MailUnavailableError } from '../src/core/mail';
import { passwordResetMail, verifyAddressMail } from '../src/core/mail-templates';
import { loadMailConfig } from '../src/mail/mail-config';
import { createMailSender } from '../src/mail/mail-sender';
import { smtpMail } from '../src/mail/smtp-mail';
import { fragmentToken } from './helpers/outbox';
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from './helpers/smtp-sink';

const ctx = { appName: 'Gatehouse', appUrl: 'https://app.example.com', linkTtlSeconds: 900 };
const FROM = 'Gatehouse <no-reply@example.com>';
const USER = 'mailer';
const PASS = 'pa:ss/w@rd-7731';
const withCredentials = (url: string) => url.replace('://', `://${USER}:${encodeURIComponent(PASS)}@`);
const reset = (token = 'tok') => passwordResetMail(ctx, { to: 'ada@example.org', name: 'Ada', token });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function sink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  cleanups.push(() => started.stop());
  return started;
}

/** A TCP server that accepts connections and never says a word (a hung mail server). */
async function silentServer(): Promise<{ port: number }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as { port: number }).port };
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const from = (field: AddressObject | AddressObject[] | undefined) => (Array.isArray(field) ? field[0] : field)?.value[0];

describe('SMTP mail', () => {
  it('delivers both parts with the envelope and headers the message names', async () => {
    const server = await sink();
    const mail = verifyAddressMail(ctx, { to: 'zoe@example.org', name: 'Zoë', token: 'v-123', purpose: 'new-account' });
    await smtpMail({ url: server.url, from: FROM }).send(mail);

    const got = await server.waitFor((m) => m.envelope.to.includes('zoe@example.org'));
    expect(got.envelope).toEqual({ from: 'no-reply@example.com', to: ['zoe@example.org'] });
    expect(got.secure).toBe(false);
    expect(from(got.parsed.from)).toEqual({ name: 'Gatehouse', address: 'no-reply@example.com' });
    expect(got.parsed.subject).toBe(mail.subject);
    expect(got.parsed.text).toBe(mail.text);
    expect(got.parsed.html).toBe(mail.html);
    expect(got.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(got.parsed.messageId).toMatch(/@example\.com>$/);
    expect(fragmentToken(got.parsed.text, 'verify')).toBe('v-123');
    expect(server.messages).toHaveLength(1);
  });

  it('uses STARTTLS when the server offers it, verifying its certificate', async () => {
    const server = await sink({ tls: true });
    await smtpMail({ url: server.url, from: FROM, ca: server.cert! }).send(reset('over-tls'));
    const got = await server.waitFor();
    expect(got.secure).toBe(true);
    expect(fragmentToken(got.parsed.text, 'reset')).toBe('over-tls');
  });

  it('does not fall back to plain text when the offered STARTTLS has an untrusted certificate', async () => {
    const server = await sink({ tls: true });
    const sending = smtpMail({ url: server.url, from: FROM }).send(reset());
    await expect(sending).rejects.toBeInstanceOf(MailUnavailableError);
    await expect(sending).rejects.toThrow(/certificate/i);
    expect(server.messages).toHaveLength(0);
  });

  it('speaks TLS from the first byte with smtps://', async () => {
    const server = await sink({ tls: 'implicit' });
    expect(server.url.startsWith('smtps://')).toBe(true);
    await smtpMail({ url: server.url, from: FROM, ca: server.cert! }).send(reset('implicit'));
    const got = await server.waitFor();
    expect(got.secure).toBe(true);
    expect(fragmentToken(got.parsed.text, 'reset')).toBe('implicit');
  });

  it('logs in with the credentials of the URL, over TLS', async () => {
    const server = await sink({ tls: true, auth: { user: USER, pass: PASS } });
    await smtpMail({ url: withCredentials(server.url), from: FROM, ca: server.cert! }).send(reset());
    const got = await server.waitFor();
    expect(got.user).toBe(USER);
    expect(server.authAttempts).toEqual([{ user: USER, accepted: true, secure: true }]);
  });

  it('never sends a password over a connection without TLS', async () => {
    const server = await sink({ auth: { user: USER, pass: PASS }, allowInsecureAuth: true });
    const sending = smtpMail({ url: withCredentials(server.url), from: FROM }).send(reset());
    await expect(sending).rejects.toBeInstanceOf(MailUnavailableError);
    expect(server.authAttempts).toEqual([]);
    expect(server.messages).toHaveLength(0);
  });

  it('reports refused credentials without repeating them', async () => {
    const server = await sink({ tls: true, auth: { user: USER, pass: 'another password' } });
    const error = await smtpMail({ url: withCredentials(server.url), from: FROM, ca: server.cert! })
      .send(reset())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(`smtp://127.0.0.1:${server.port}`);
    expect(message).toContain('EAUTH');
    expect(message).toContain('535');
    expect(message).not.toContain(PASS);
    expect(message).not.toContain(encodeURIComponent(PASS));
    expect(server.authAttempts).toEqual([{ user: USER, accepted: false, secure: true }]);
    expect(server.messages).toHaveLength(0);
  });

  it('fails with MailUnavailableError when nothing listens', async () => {
    const port = await closedPort();
    const sending = smtpMail({ url: `smtp://127.0.0.1:${port}`, from: FROM }).send(reset());
    await expect(sending).rejects.toBeInstanceOf(MailUnavailableError);
    await expect(sending).rejects.toThrow(`Mail could not be sent through smtp://127.0.0.1:${port}: ESOCKET connect ECONNREFUSED`);
  });

  it('gives up on a server that accepts the connection and never greets', async () => {
    const { port } = await silentServer();
    const sending = smtpMail({ url: `smtp://127.0.0.1:${port}`, from: FROM }).send(reset());
    await expect(sending).rejects.toBeInstanceOf(MailUnavailableError);
    await expect(sending).rejects.toThrow(/ETIMEDOUT|Greeting never received/);
  }, 15_000);

  it('is what AUTH_MAIL=smtp://… makes, sending from AUTH_MAIL_FROM', async () => {
    const server = await sink();
    const sender = createMailSender(loadMailConfig({ AUTH_MAIL: server.url, AUTH_MAIL_FROM: 'Support <help@example.net>' }));
    await sender.send(reset('from-config'));
    const got = await server.waitFor();
    expect(got.envelope.from).toBe('help@example.net');
    expect(from(got.parsed.from)).toEqual({ name: 'Support', address: 'help@example.net' });
    expect(fragmentToken(got.parsed.text, 'reset')).toBe('from-config');
  });
});
