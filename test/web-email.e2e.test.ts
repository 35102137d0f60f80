import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser';
import { ROOT, type RunningServer, startServer } from './helpers/server';
import { type SinkMessage, type SmtpSink, startSmtpSink } from './helpers/smtp-sink';
import { logIn, mode, openPage, ready } from './helpers/web-page';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-email-'));
const RESULTS = join(ROOT, 'test-results');
const PASSWORD = 'analytical engine notes';
const NEW_PASSWORD = 'a brand new and long passphrase';

let browser: Browser;
let server: RunningServer;
let sink: SmtpSink;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  sink = await startSmtpSink();
  [browser, server] = await Promise.all([
    launchChromium(),
    startServer({ AUTH_SQLITE_FILE: join(dir, 'web-email.db'), AUTH_MAIL: sink.url, AUTH_MAIL_FROM: 'Message board <no-reply@board.example>' }),
  ]);
  mkdirSync(RESULTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The nth mail (1-based) the SMTP server received for an address. */
async function nth(address: string, n: number): Promise<SinkMessage> {
  await expect.poll(() => sink.messages.filter((m) => m.envelope.to.includes(address)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(n);
  return sink.messages.filter((m) => m.envelope.to.includes(address))[n - 1]!;
}

/** The link in a mail's text, pointed at this server (the links name http://localhost:PORT). */
function linkIn(mail: SinkMessage, key: 'verify' | 'reset'): string {
  const match = new RegExp(`https?://[^\\s]+/#${key}=[\\w.%-]+`).exec(mail.parsed.text ?? '');
  expect(match, `a #${key}= link in "${mail.parsed.subject}"`).not.toBeNull();
  const link = new URL(match![0]);
  return `${server.url}/${link.hash}`;
}

const banner = (page: Page) => page.locator('#notice, #error').filter({ visible: true }).textContent();
const emailState = (page: Page) => page.locator('#email-state').textContent();

async function signUpWithEmail(page: Page, name: string, username: string, email: string) {
  const panel = await mode(page, 'Sign up');
  await panel.getByLabel('Name', { exact: true }).fill(name);
  await panel.getByLabel('Username', { exact: true }).fill(username);
  await panel.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await panel.getByLabel('Email (optional)', { exact: true }).fill(email);
  await panel.getByRole('button', { name: 'Sign up', exact: true }).click();
  await expect.poll(() => page.getByText('Logged in as').isVisible(), { timeout: 10_000 }).toBe(true);
}

/** Opens a mailed link in a new tab of the same browser, as clicking it in a mail program would. */
async function open(from: Page, link: string): Promise<Page> {
  const page = await from.context().newPage();
  await page.goto(link);
  await ready(page);
  // The token leaves the address bar (and the history entry) at once.
  expect(page.url()).toBe(`${server.url}/`);
  return page;
}

describe('email in the web app, in Chromium', () => {
  it('confirms a new address from the link, and shows the address with its state', async () => {
    const { page, errors } = await openPage(browser, server.url, contexts);
    await signUpWithEmail(page, 'Ada Lovelace', 'ada', 'ada@example.com');
    expect(await page.getByRole('status').textContent()).toBe('Welcome, Ada Lovelace. We sent a link to ada@example.com to confirm it.');
    await expect.poll(() => emailState(page), { timeout: 10_000 }).toBe('ada@example.com · Not confirmed yet');
    expect(await page.getByRole('button', { name: 'Resend link' }).isVisible()).toBe(true);

    // A new link on request; the first one stops working.
    await page.getByRole('button', { name: 'Resend link' }).click();
    await expect.poll(() => banner(page), { timeout: 10_000 }).toBe('We sent a new confirmation link to ada@example.com. It works once, for a short time.');
    const first = linkIn(await nth('ada@example.com', 1), 'verify');
    const second = linkIn(await nth('ada@example.com', 2), 'verify');
    const stale = await open(page, first);
    expect(await stale.getByRole('alert').textContent()).toBe('This confirmation link has expired or has already been used. Log in to ask for a new one.');
    const tab = await open(page, second);
    expect(await tab.getByRole('status').textContent()).toBe('Your email address ada@example.com is confirmed.');
    // The same browser is logged in: the new tab shows the confirmed address.
    await expect.poll(() => emailState(tab), { timeout: 10_000 }).toBe('ada@example.com · Confirmed');
    expect(await tab.getByRole('button', { name: 'Resend link' }).isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it('changes the address: a field error for a wrong password, then the link to the new address', async () => {
    const { page } = await openPage(browser, server.url, contexts);
    const profiles: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/user/myprofile') profiles.push(request.method());
    });
    await logIn(page, 'ada', PASSWORD);
    await expect.poll(() => emailState(page), { timeout: 10_000 }).toBe('ada@example.com · Confirmed');
    await expect.poll(() => page.locator('#two-step-state').textContent(), { timeout: 10_000 }).toMatch(/^(On|Off):/);
    // The email and two-step views share one answer.
    expect(profiles).toEqual(['GET']);
    await page.getByRole('button', { name: 'Change email' }).click();
    const card = page.locator('#email-card');
    await card.getByLabel('New email', { exact: true }).fill('ada@lovelace.example');
    await card.getByLabel('Current password', { exact: true }).fill('not my password at all');
    await card.getByRole('button', { name: 'Send confirmation link' }).click();
    const password = card.getByLabel('Current password', { exact: true });
    await expect.poll(() => password.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await page.locator('#email-password-error').textContent()).toBe('Current password is wrong.');
    await password.fill(PASSWORD);
    await card.getByRole('button', { name: 'Send confirmation link' }).click();
    await expect
      .poll(() => banner(page))
      .toBe('We sent a confirmation link to ada@lovelace.example. Your address changes when you open it; until then it stays as it is.');
    expect(await emailState(page)).toBe('ada@example.com · Confirmed');
    expect((await nth('ada@example.com', 3)).parsed.subject).toBe('Your Message board email address is being changed');
    const tab = await open(page, linkIn(await nth('ada@lovelace.example', 1), 'verify'));
    expect(await tab.getByRole('status').textContent()).toBe('Your email address ada@lovelace.example is confirmed.');
    await expect.poll(() => emailState(tab), { timeout: 10_000 }).toBe('ada@lovelace.example · Confirmed');
  });

  it('asks to log in again, the name filled in, when the session ended elsewhere before a change', async () => {
    const { page, context } = await openPage(browser, server.url, contexts);
    await logIn(page, 'ada', PASSWORD);
    await expect.poll(() => emailState(page), { timeout: 10_000 }).toContain('· Confirmed');
    const token = (await context.cookies()).find((cookie) => cookie.name === 'gatehouse_token')!.value;
    const ended = await fetch(`${server.url}/logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(ended.status).toBe(200);

    await page.getByRole('button', { name: 'Change email' }).click();
    const card = page.locator('#email-card');
    await card.getByLabel('New email', { exact: true }).fill('ada@elsewhere.example');
    await card.getByLabel('Current password', { exact: true }).fill(PASSWORD);
    await card.getByRole('button', { name: 'Send confirmation link' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toBe('Your session has ended (you were logged out). Log in again to manage your email address.');
    expect(await page.getByRole('tabpanel', { name: 'Log in' }).getByLabel('Username').inputValue()).toBe('ada');
    expect(await page.getByText('Logged in as').isVisible()).toBe(false);
  });

  it('resets a forgotten password from the mailed link: logged out everywhere, then in with the new password', async () => {
    // A session that the reset must end.
    const old = await openPage(browser, server.url, contexts);
    await logIn(old.page, 'ada', PASSWORD);
    await expect.poll(() => old.page.getByText('Logged in as').isVisible(), { timeout: 10_000 }).toBe(true);

    const asking = await openPage(browser, server.url, contexts);
    await asking.page.getByRole('button', { name: 'Forgot password?' }).click();
    const forgot = asking.page.locator('#forgot');
    await forgot.getByLabel('Username or email', { exact: true }).fill('ada@lovelace.example');
    await forgot.getByRole('button', { name: 'Send reset link' }).click();
    await expect.poll(() => forgot.getByText('Check your email.').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await asking.page.locator('#forgot-sent-text').textContent()).toBe(
      'If the account exists and has a verified email, a reset link is on its way. It works once, for a short time; check your spam folder too.',
    );

    const mail = await nth('ada@lovelace.example', 2);
    expect(mail.parsed.subject).toBe('Reset your Message board password');
    const page = await open(asking.page, linkIn(mail, 'reset'));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const reset = page.locator('#reset');
    expect(await reset.getByRole('heading').textContent()).toBe('Choose a new password');
    // Only the reset form is on the page while it is open.
    expect(await page.locator('#account').isVisible()).toBe(false);
    await reset.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.screenshot({ path: join(RESULTS, 'web-reset.png'), fullPage: true });
    await reset.getByLabel('New password', { exact: true }).fill('short');
    await reset.getByRole('button', { name: 'Set new password' }).click();
    const field = reset.getByLabel('New password', { exact: true });
    await expect.poll(() => field.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await page.locator('#reset-password-error').textContent()).toBe('The new password must be at least 8 characters.');
    await field.fill(NEW_PASSWORD);
    await reset.getByRole('button', { name: 'Set new password' }).click();
    // Every session of the account: this test's and those the tests before it left.
    await expect
      .poll(() => banner(page))
      .toMatch(/^Your password has been changed and you have been logged out everywhere \([2-9] sessions ended\)\. Log in with your new password\.$/);
    expect(await reset.isVisible()).toBe(false);
    const login = page.getByRole('tabpanel', { name: 'Log in' });
    expect(await login.getByLabel('Username', { exact: true }).inputValue()).toBe('ada');
    await login.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await login.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect.poll(() => page.getByText('Logged in as').isVisible(), { timeout: 10_000 }).toBe(true);
    expect((await nth('ada@lovelace.example', 3)).parsed.subject).toBe('Your Message board password was reset');

    // The session from before the reset is over: a reload finds nobody logged in.
    await old.page.reload();
    await ready(old.page);
    expect(await old.page.getByText('Logged in as').isVisible()).toBe(false);
    expect(await old.page.getByRole('tab', { name: 'Log in' }).isVisible()).toBe(true);
    // The used link is refused, in words, with the way to a new one.
    const again = await open(page, linkIn(mail, 'reset'));
    await again.locator('#reset').getByLabel('New password', { exact: true }).fill('yet another long passphrase');
    await again.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => banner(again), { timeout: 10_000 }).toBe('This reset link has expired or has already been used. Ask for a new one here.');
    expect(await again.locator('#forgot').isVisible()).toBe(true);
    expect([...errors, ...asking.errors]).toEqual([]);
  });
});
