import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser';
import { freePort, postJson, ROOT, type RunningServer, startServer } from './helpers/server';
import { startStaticSite } from './helpers/static-site';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-'));
const SCREENSHOT = join(ROOT, 'test-results', 'web-logged-in.png');
const PHONE = { width: 390, height: 844 };

let browser: Browser;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page in a fresh browser profile; script errors and CSP violations fail the test. */
async function openPage(url: string): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({ viewport: PHONE });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    // A refused request logs its status in the console; anything else at error level is a fault.
    if (message.type() === 'error' && !/status of 40\d/.test(message.text())) problems.push(message.text());
  });
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  return { page, context, problems };
}

async function signUp(page: Page, name: string, username: string, password: string) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect.poll(() => page.getByText('Logged in as').isVisible()).toBe(true);
}

async function logIn(page: Page, username: string, password: string) {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function postMessage(page: Page, text: string) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Post' }).click();
}

const messageTexts = (page: Page) => page.locator('#messages .text').allTextContents();

describe('the web app in Chromium, served by npm start', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ AUTH_SQLITE_FILE: join(dir, 'web.db') });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('signs up, posts, shows the post to a second person, keeps the person logged in on reload, and logs out', async () => {
    const { page, context, problems } = await openPage(server.url);
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    await signUp(page, 'Ada Lovelace', 'ada', 'analytical engine notes');
    await expect.poll(() => page.locator('#who').textContent()).toContain('Ada Lovelace');

    await postMessage(page, 'Hello from Ada');
    await expect.poll(() => messageTexts(page)).toEqual(['Hello from Ada']);
    expect(await page.locator('#messages .author').first().textContent()).toBe('ada');
    await postMessage(page, 'A second note, <b>not bold</b>');
    await expect.poll(() => messageTexts(page)).toEqual(['A second note, <b>not bold</b>', 'Hello from Ada']);

    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const other = await openPage(server.url);
    await expect.poll(() => messageTexts(other.page)).toEqual(['A second note, <b>not bold</b>', 'Hello from Ada']);
    expect(await other.page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    expect(await other.page.getByRole('button', { name: 'Log in' }).isVisible()).toBe(true);

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    expect(await page.getByRole('status').textContent()).toBe('You are logged out.');
    expect(await page.getByRole('button', { name: 'Log in' }).isVisible()).toBe(true);
    // The logout came from the page's own origin and ended the cookie's own session: the cookie is gone.
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('gatehouse_token');
    expect([...problems, ...other.problems]).toEqual([]);
  });

  it('shows a wrong password as an error, in words', async () => {
    const { page } = await openPage(server.url);
    await logIn(page, 'ada', 'not the right passphrase');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong username or password.');
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
  });

  it('shows a refused sign-up (a weak password, a taken name) in words', async () => {
    const { page } = await openPage(server.url);
    await page.getByLabel('Name', { exact: true }).fill('Bob');
    await page.getByLabel('Username', { exact: true }).fill('bob');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Password must be at least 8 characters.');
    await page.getByLabel('Username', { exact: true }).fill('ada');
    await page.getByLabel('Password', { exact: true }).fill('some other long passphrase');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('That username is taken. Choose another, or log in.');
  });

  it('refuses a post visibly once the session was ended in another tab', async () => {
    const { page, context } = await openPage(server.url);
    await logIn(page, 'ada', 'analytical engine notes');
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);

    const tab = await context.newPage();
    await tab.goto(server.url);
    await tab.locator('body[data-ready="true"]').waitFor();
    await tab.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => tab.getByRole('button', { name: 'Log in' }).isVisible()).toBe(true);

    const before = await messageTexts(page);
    await postMessage(page, 'Posted after logout?');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Your session has ended (you were logged out). Log in again to post.');
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    const after = await (await fetch(`${server.url}/messages`)).json();
    expect(after.messages.map((m: { text: string }) => m.text)).toEqual(before);
  });

  it('refuses a post visibly once the session was ended from another device', async () => {
    const { page, context } = await openPage(server.url);
    await logIn(page, 'ada', 'analytical engine notes');
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);
    const token = (await context.cookies()).find((cookie) => cookie.name === 'gatehouse_token')!.value;
    expect((await postJson(`${server.url}/logout`, { token })).status).toBe(200);

    await postMessage(page, 'Still here?');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Your session has ended');
  });
});

describe('the web app served from another origin (as from S3/CloudFront)', () => {
  let api: RunningServer;
  let site: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    // Each side must know the other's origin before it starts.
    const [apiPort, sitePort] = [await freePort(), await freePort()];
    site = await startStaticSite(`http://127.0.0.1:${apiPort}`, sitePort);
    api = await startServer({ AUTH_SQLITE_FILE: join(dir, 'cross.db'), AUTH_CORS_ORIGINS: site.url }, { port: apiPort });
  });
  afterAll(async () => {
    await site?.close();
    await api?.stop();
  });

  it('signs up, posts, stays logged in on reload and logs out, with CORS and a bearer token', async () => {
    const { page, problems } = await openPage(site.url);
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(api.url))
        sent.push(`${request.method()} ${new URL(request.url()).pathname} ${request.headers().authorization ? 'bearer' : '-'}`);
    });
    await signUp(page, 'Grace Hopper', 'grace', 'compilers all the way down');
    const token = await page.evaluate(() =>
      (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('gatehouse.token'),
    );
    expect(token).toMatch(/^eyJ/);

    await postMessage(page, 'Hello across origins');
    await expect.poll(() => messageTexts(page)).toEqual(['Hello across origins']);
    expect(sent).toContain('POST /messages bearer');

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('#who').textContent()).toContain('Grace Hopper');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    expect(
      await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('gatehouse.token')),
    ).toBeNull();
    expect((await postJson(`${api.url}/verify`, { token })).status).toBe(401);
    expect(problems).toEqual([]);
  });
});
