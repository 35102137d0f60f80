import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser';
import { postJson, ROOT, type RunningServer, startServer } from './helpers/server';
import { logIn, messageTexts, mode, openPage, postMessage, ready } from './helpers/web-page';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-forms-'));
const RESULTS = join(ROOT, 'test-results');

let browser: Browser;
let server: RunningServer;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startServer({ AUTH_SQLITE_FILE: join(dir, 'forms.db') })]);
  mkdirSync(RESULTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const loggedInAs = (page: Page) => page.locator('#who').textContent();

/** The error a field shows: the visible error note its aria-describedby names, and whether it is marked invalid. */
async function fieldError(field: Locator) {
  const id = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').find((each) => each.endsWith('-error'));
  const note = field.page().locator(`[id="${id}"]`);
  const text = id && (await note.isVisible()) ? await note.textContent() : null;
  return { invalid: await field.getAttribute('aria-invalid'), text };
}

describe('the web app forms in Chromium', () => {
  it('keeps log-in and sign-up apart: Enter signs up in the sign-up mode and logs in in the log-in mode; Name only in sign-up', async () => {
    const { page, errors, failures } = await openPage(browser, server.url, contexts);
    const tab = (name: string) => page.getByRole('tab', { name });
    expect(await tab('Log in').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('textbox', { name: 'Name', exact: true }).count()).toBe(0);

    // The switch works from the keyboard too.
    await tab('Log in').focus();
    await page.keyboard.press('ArrowRight');
    expect(await tab('Sign up').getAttribute('aria-selected')).toBe('true');
    const signup = page.getByRole('tabpanel', { name: 'Sign up' });
    await signup.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
    await signup.getByLabel('Username', { exact: true }).fill('ada');
    await signup.getByLabel('Password', { exact: true }).fill('analytical engine notes');
    await signup.getByLabel('Password', { exact: true }).press('Enter');
    await expect.poll(() => loggedInAs(page)).toContain('Ada Lovelace');
    expect(await page.getByRole('alert').isVisible()).toBe(false);
    expect(await page.getByRole('status').textContent()).toBe('Welcome, Ada Lovelace.');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => tab('Log in').getAttribute('aria-selected')).toBe('true');
    const login = page.getByRole('tabpanel', { name: 'Log in' });
    expect(await login.getByRole('textbox', { name: 'Name', exact: true }).count()).toBe(0);
    await login.getByLabel('Username', { exact: true }).fill('ada');
    await login.getByLabel('Password', { exact: true }).fill('analytical engine notes');
    await login.getByLabel('Password', { exact: true }).press('Enter');
    await expect.poll(() => loggedInAs(page)).toContain('Ada Lovelace');
    expect({ errors, failures }).toEqual({ errors: [], failures: [] });
  });

  it('puts each error next to its field (aria-describedby, aria-invalid) as well as in the banner', async () => {
    const { page } = await openPage(browser, server.url, contexts);
    const signup = await mode(page, 'Sign up');
    const [name, username, password] = ['Name', 'Username', 'Password'].map((label) => signup.getByLabel(label, { exact: true })) as [
      Locator,
      Locator,
      Locator,
    ];

    // Left empty: said before anything is sent.
    await signup.getByRole('button', { name: 'Sign up' }).click();
    expect(await fieldError(name)).toEqual({ invalid: 'true', text: 'Enter your name.' });
    expect(await fieldError(password)).toEqual({ invalid: 'true', text: 'Choose a password.' });
    expect(await page.getByRole('alert').textContent()).toBe('Enter your name. Choose a username. Choose a password.');
    expect(await name.evaluate((node) => node === (node.ownerDocument as { activeElement: unknown }).activeElement)).toBe(true);

    // The API's refusal names its field: the message goes under that field, and the hint stays.
    await name.fill('Bob');
    await username.fill('bob');
    await password.fill('short');
    await password.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Password must be at least 8 characters.');
    expect(await fieldError(password)).toEqual({ invalid: 'true', text: 'Password must be at least 8 characters.' });
    expect((await password.getAttribute('aria-describedby'))?.split(' ')).toEqual(['signup-password-error', 'signup-password-hint']);
    expect(await fieldError(name)).toEqual({ invalid: null, text: null });
    const [field, note] = [await password.boundingBox(), await page.locator('#signup-password-error').boundingBox()];
    expect(note!.y).toBeGreaterThan(field!.y + field!.height - 1);
    await page.screenshot({ path: join(RESULTS, 'web-signup.png'), fullPage: true });
    // Typing in the field clears its error.
    await password.fill('a much longer passphrase');
    expect(await fieldError(password)).toEqual({ invalid: null, text: null });
    expect(await password.getAttribute('aria-describedby')).toBe('signup-password-hint');

    await username.fill('No Spaces Allowed');
    await password.press('Enter');
    await expect.poll(async () => (await fieldError(username)).text).toMatch(/^Username must be/);

    expect((await postJson(`${server.url}/register`, { name: 'Taken', username: 'taken', password: 'a perfectly fine passphrase' })).status).toBe(201);
    await username.fill('taken');
    await password.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('That username is taken. Choose another, or log in.');
    expect(await fieldError(username)).toEqual({ invalid: 'true', text: 'That username is taken. Choose another, or log in.' });

    // A message the API refuses: the error is under Message.
    await username.fill('robert');
    await password.press('Enter');
    await expect.poll(() => loggedInAs(page)).toContain('Bob');
    await postMessage(page, 'Hidden \u202e reversal');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Text must be 1–500 characters.');
    expect(await fieldError(page.getByLabel('Message', { exact: true }))).toEqual({ invalid: 'true', text: 'Text must be 1–500 characters.' });
  });

  it('keeps a half-written message when its post is refused because the session ended, through a reload and a new login', async () => {
    const { page, context } = await openPage(browser, server.url, contexts);
    await logIn(page, 'ada', 'analytical engine notes');
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);

    const tab = await context.newPage();
    await tab.goto(server.url);
    await ready(tab);
    await tab.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => tab.getByRole('button', { name: 'Log in', exact: true }).isVisible()).toBe(true);

    const before = await messageTexts(page);
    const draft = 'A long thought,\nwritten over two lines';
    await postMessage(page, draft);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Your session has ended (you were logged out). Log in again to post; your message is kept.');
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    const login = page.getByRole('tabpanel', { name: 'Log in' });
    expect(await login.getByLabel('Username', { exact: true }).inputValue()).toBe('ada');
    expect(
      await login.getByLabel('Password', { exact: true }).evaluate((node) => node === (node.ownerDocument as { activeElement: unknown }).activeElement),
    ).toBe(true);
    expect(((await (await fetch(`${server.url}/messages`)).json()) as { messages: { text: string }[] }).messages.map((m) => m.text)).toEqual(before);

    await page.reload();
    await ready(page);
    await logIn(page, 'ada', 'analytical engine notes');
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(draft);
    expect(await page.locator('#message-count').textContent()).toBe(String(draft.length));
    await page.getByRole('button', { name: 'Post' }).click();
    await expect.poll(() => messageTexts(page)).toEqual([draft, ...before]);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('');

    // Posted: nothing is kept for the next login.
    await page.reload();
    await ready(page);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('');
  });
});
