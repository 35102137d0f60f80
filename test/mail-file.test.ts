import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressObject } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailUnavailableError } from '../src/core/mail';
import { passwordResetMail, verifyAddressMail } from '../src/core/mail-templates';
import { fileMail } from '../src/mail/file-mail';
import { loadMailConfig } from '../src/mail/mail-config';
import { createMailSender } from '../src/mail/mail-sender';
import { testClock } from './helpers/clock';
import { fragmentToken, readOutbox } from './helpers/outbox';

const ctx = { appName: 'Gätehaus', appUrl: 'http://localhost:3000', linkTtlSeconds: 900 };
const FROM = 'Gatehouse <no-reply@localhost>';
const T0 = Date.UTC(2026, 11, 2, 10, 11, 12, 345);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mail-file-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const addresses = (field: AddressObject | AddressObject[] | undefined) => (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value);

describe('file mail', () => {
  it('writes one .eml that mailparser reads back with both parts and the right headers', async () => {
    const dir = join(root, 'outbox', 'nested');
    const mail = verifyAddressMail(ctx, { to: 'zoe@example.org', name: 'Zoë', token: 'tok_123', purpose: 'new-account' });
    await fileMail({ dir, from: FROM, clock: testClock(T0) }).send(mail);

    const [only, ...rest] = await readOutbox(dir);
    expect(rest).toHaveLength(0);
    expect(only!.file).toMatch(/^20261202T101112345Z-000001-[0-9a-f]{8}\.eml$/);
    const parsed = only!.parsed;
    expect(addresses(parsed.from)).toEqual([{ name: 'Gatehouse', address: 'no-reply@localhost' }]);
    expect(addresses(parsed.to)).toEqual([{ name: '', address: 'zoe@example.org' }]);
    expect(parsed.subject).toBe('Confirm your email address for Gätehaus');
    expect(parsed.date?.getTime()).toBe(Math.floor(T0 / 1000) * 1000);
    expect(parsed.messageId).toMatch(/^<[^<>@\s]+@localhost>$/);
    expect(parsed.headers.get('mime-version')).toBe('1.0');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toBe(mail.html);
    expect(fragmentToken(parsed.text, 'verify')).toBe('tok_123');
  });

  it('writes a standards-shaped message: CRLF lines, 7-bit, encoded subject, multipart/alternative', async () => {
    const dir = join(root, 'outbox');
    await fileMail({ dir, from: FROM, clock: testClock(T0) }).send(passwordResetMail(ctx, { to: 'zoe@example.org', name: 'Zoë', token: 't' }));
    const { raw } = (await readOutbox(dir))[0]!;
    const [head] = raw.split('\r\n\r\n');
    expect(raw).toMatch(/^[\x00-\x7f]*$/);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(head).toMatch(/^Subject: =\?UTF-8\?[QB]\?/m);
    expect(head).toMatch(/^Date: Wed, 02 Dec 2026 10:11:12 \+0000$/m);
    expect(head).toMatch(/^MIME-Version: 1\.0$/m);
    expect(head).toMatch(/^Content-Type: multipart\/alternative;\r\n boundary="[^"]+"$/m);
    expect(raw).toMatch(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: (quoted-printable|base64)/);
    expect(raw.indexOf('Content-Type: text/plain')).toBeLessThan(raw.indexOf('Content-Type: text/html'));
  });

  it('names files so that they sort in the order they were sent, and leaves no temporary files', async () => {
    const dir = join(root, 'outbox');
    const clock = testClock(T0);
    const sender = fileMail({ dir, from: FROM, clock });
    const subjects: string[] = [];
    for (let i = 0; i < 12; i++) {
      if (i % 4 === 0) clock.advance(1);
      const mail = { ...passwordResetMail(ctx, { to: 'a@example.org', token: `t${i}` }), subject: `message ${i}` };
      subjects.push(mail.subject);
      await sender.send(mail);
    }
    expect((await readOutbox(dir)).map((mail) => mail.parsed.subject)).toEqual(subjects);
    expect((await readdir(dir)).filter((name) => !name.endsWith('.eml'))).toEqual([]);
  });

  it('keeps the outbox and its messages readable by their owner only', async () => {
    const dir = join(root, 'private');
    await fileMail({ dir, from: FROM }).send(passwordResetMail(ctx, { to: 'a@example.org', token: 'secret' }));
    const { file } = (await readOutbox(dir))[0]!;
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
  });

  it('throws MailUnavailableError when the outbox cannot be written', async () => {
    const blocker = join(root, 'a-file');
    await writeFile(blocker, 'not a directory');
    const sending = fileMail({ dir: join(blocker, 'outbox'), from: FROM }).send(passwordResetMail(ctx, { to: 'a@example.org', token: 't' }));
    await expect(sending).rejects.toBeInstanceOf(MailUnavailableError);
    await expect(sending).rejects.toMatchObject({ name: 'MailUnavailableError', code: 'mail_unavailable', message: expect.stringMatching(/ENOTDIR|EEXIST/) });
  });

  it('refuses header injection and more than one recipient, writing nothing', async () => {
    const dir = join(root, 'outbox');
    const sender = fileMail({ dir, from: FROM });
    const base = passwordResetMail(ctx, { to: 'a@example.org', token: 't' });
    await expect(sender.send({ ...base, subject: 'Hi\r\nBcc: victim@example.com' })).rejects.toThrow(TypeError);
    await expect(sender.send({ ...base, to: 'a@example.org, b@example.org' })).rejects.toThrow(TypeError);
    await expect(sender.send({ ...base, to: 'Eve <a@example.org>' })).rejects.toThrow(TypeError);
    await expect(sender.send({ ...base, headers: { 'X-Note': 'a\nBcc: victim@example.com' } })).rejects.toThrow(TypeError);
    await expect(sender.send({ ...base, headers: { From: 'boss@example.com' } })).rejects.toThrow(TypeError);
    await expect(sender.send({ ...base, headers: { 'Bad Name': 'x' } })).rejects.toThrow(TypeError);
    expect(await readOutbox(dir)).toEqual([]);
  });

  it('is what AUTH_MAIL=file:DIR makes, with the default sender', async () => {
    const dir = join(root, 'from-config');
    const sender = createMailSender(loadMailConfig({ AUTH_MAIL: `file:${dir}` }));
    await sender.send(verifyAddressMail(ctx, { to: 'b@example.org', token: 'abc', purpose: 'changed-address' }));
    const [mail] = await readOutbox(dir);
    expect(addresses(mail!.parsed.from)).toEqual([{ name: 'Gatehouse', address: 'no-reply@localhost' }]);
    expect(fragmentToken(mail!.parsed.text, 'verify')).toBe('abc');
  });
});
