import { describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../src/core/mail';
import {
  addressChangedMail,
  addressChangeRequestedMail,
  durationInWords,
  fragmentLink,
  type MailContext,
  passwordResetMail,
  passwordWasResetMail,
  verifyAddressMail,
} from '../src/core/mail-templates';

const ctx: MailContext = { appName: 'Gatehouse', appUrl: 'https://app.example.com', linkTtlSeconds: 900 };
const TOKEN = 'tK3n_abc-DEF123';
const to = 'ada@example.org';

const all: Record<string, OutgoingMail> = {
  verifyNew: verifyAddressMail(ctx, { to, name: 'Ada', token: TOKEN, purpose: 'new-account' }),
  verifyChanged: verifyAddressMail(ctx, { to, name: 'Ada', token: TOKEN, purpose: 'changed-address' }),
  reset: passwordResetMail(ctx, { to, name: 'Ada', token: TOKEN, username: 'ada1815' }),
  wasReset: passwordWasResetMail(ctx, { to, name: 'Ada' }),
  changeRequested: addressChangeRequestedMail(ctx, { to, name: 'Ada', newAddress: 'lovelace@analytical.engine' }),
  changed: addressChangedMail(ctx, { to, name: 'Ada', newAddress: 'lovelace@analytical.engine' }),
};

const urls = (text: string) => text.match(/https?:\/\/[^\s"'<>]+/g) ?? [];

describe('mail templates', () => {
  it('verification links carry the token in the fragment, for a new account and a changed address', () => {
    const link = `https://app.example.com/#verify=${TOKEN}`;
    for (const mail of [all.verifyNew!, all.verifyChanged!]) {
      expect(mail.to).toBe(to);
      expect(mail.text).toContain(`\n\n${link}\n\n`);
      expect(mail.html).toContain(`href="${link}"`);
    }
    expect(all.verifyNew!.subject).toBe('Confirm your email address for Gatehouse');
    expect(all.verifyChanged!.subject).toBe('Confirm your new email address for Gatehouse');
    expect(all.verifyChanged!.text).toContain('the account keeps its current address');
  });

  it('the reset link carries its token in the fragment, names the account and says what it does', () => {
    const mail = all.reset!;
    expect(mail.subject).toBe('Reset your Gatehouse password');
    expect(mail.text).toContain('https://app.example.com/#reset=tK3n_abc-DEF123');
    expect(mail.html).toContain('href="https://app.example.com/#reset=tK3n_abc-DEF123"');
    expect(mail.text).toContain('(username: ada1815)');
    expect(mail.text).toContain('signs you out everywhere');
  });

  it('a token appears only inside a fragment, never in a path or query', () => {
    for (const mail of Object.values(all)) {
      for (const part of [mail.text, mail.html]) {
        const occurrences = part.split(TOKEN).length - 1;
        const inFragment = part.split(`/#verify=${TOKEN}`).length - 1 + part.split(`/#reset=${TOKEN}`).length - 1;
        expect(occurrences).toBe(inFragment);
        expect(part).not.toMatch(/[?&]token=/);
      }
    }
  });

  it('links state their lifetime in words, in both parts', () => {
    for (const mail of [all.verifyNew!, all.verifyChanged!, all.reset!]) {
      expect(mail.text).toContain('The link works once, within 15 minutes.');
      expect(mail.html).toContain('The link works once, within 15 minutes.');
    }
    const long = passwordResetMail({ ...ctx, linkTtlSeconds: 5400 }, { to, token: TOKEN });
    expect(long.text).toContain('within 1 hour 30 minutes');
  });

  it('notices carry no token and point back to the app', () => {
    for (const mail of [all.wasReset!, all.changeRequested!, all.changed!]) {
      expect(mail.text).not.toContain(TOKEN);
      expect(mail.text).toContain('https://app.example.com');
      expect(mail.html).toContain('<a href="https://app.example.com"');
    }
    expect(all.wasReset!.subject).toBe('Your Gatehouse password was reset');
    expect(all.wasReset!.text).toContain('every session was signed out');
  });

  it('tells the old address of a change without handing it the whole new address', () => {
    const requested = all.changeRequested!;
    expect(requested.subject).toBe('Your Gatehouse email address is being changed');
    expect(requested.text).toContain('to l…@analytical.engine.');
    expect(requested.text).toContain('Nothing changes until the link sent to that address is opened.');
    expect(all.changed!.subject).toBe('Your Gatehouse email address was changed');
    expect(all.changed!.text).toContain('is now l…@analytical.engine.');
    for (const mail of [requested, all.changed!]) {
      expect(mail.text + mail.html).not.toContain('lovelace@');
    }
  });

  it('escapes names and the app name in HTML, and keeps the text part literal', () => {
    const mail = verifyAddressMail(
      { ...ctx, appName: 'Tom & "Jerry"' },
      { to, name: '<script>alert(1)</script><img src=x onerror=alert(2)>', token: TOKEN, purpose: 'new-account' },
    );
    expect(mail.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;,');
    expect(mail.html).not.toMatch(/<script|<img/i);
    expect(mail.html).toContain('Welcome to Tom &amp; &quot;Jerry&quot;.');
    expect(mail.text).toContain('Hello <script>alert(1)</script><img src=x onerror=alert(2)>,');
    expect(mail.subject).toBe('Confirm your email address for Tom & "Jerry"');
  });

  it('keeps a name to one line and a sane length, and greets without one', () => {
    const mail = passwordWasResetMail(ctx, { to, name: `Eve\r\nBcc: victim@example.com\u202e${'x'.repeat(200)}` });
    const greeting = mail.text.split('\n')[0]!;
    expect(greeting.startsWith('Hello Eve Bcc: victim@example.com ')).toBe(true);
    expect([...greeting].length).toBeLessThanOrEqual('Hello ,'.length + 64);
    expect(greeting).not.toContain('\u202e');
    expect(passwordWasResetMail(ctx, { to }).text.startsWith('Hello,\n\n')).toBe(true);
    expect(passwordWasResetMail(ctx, { to, name: '   ' }).text.startsWith('Hello,\n\n')).toBe(true);
  });

  it('has no images, scripts, remote resources or tracking: every URL is the app', () => {
    for (const mail of Object.values(all)) {
      expect(mail.html).not.toMatch(/<img|<script|<link|<iframe|<object|url\(|src=|@import/i);
      for (const url of [...urls(mail.text), ...urls(mail.html)]) expect(url.startsWith('https://app.example.com')).toBe(true);
      expect(mail.text + mail.html).not.toMatch(/utm_|[?&](ref|track)/i);
      expect(mail.html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
      expect(mail.html).toContain('<meta charset="utf-8">');
      expect(mail.headers).toEqual({ 'Auto-Submitted': 'auto-generated' });
      expect(mail.text).toContain('— Gatehouse');
    }
  });

  it('builds fragment links under any app path, encoding the token', () => {
    expect(fragmentLink('https://example.com/app/', 'reset', 'abc')).toBe('https://example.com/app/#reset=abc');
    expect(fragmentLink('http://localhost:3000', 'verify', 'a b&c#d')).toBe('http://localhost:3000/#verify=a%20b%26c%23d');
  });

  it.each([
    [30, '30 seconds'],
    [60, '1 minute'],
    [119, '1 minute'],
    [900, '15 minutes'],
    [3600, '1 hour'],
    [3660, '1 hour 1 minute'],
    [5400, '1 hour 30 minutes'],
    [7320, '2 hours 2 minutes'],
    [86_400, '24 hours'],
  ])('durationInWords(%i) is "%s"', (seconds, words) => {
    expect(durationInWords(seconds)).toBe(words);
  });
});
