import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CSP } from '../src/entry/web-site';
import { launchChromium } from './helpers/browser';
import { freePorts, postJson, ROOT, type RunningServer, startServer } from './helpers/server';
import { startStaticSite } from './helpers/static-site';
import { logIn, messageTexts, openPage, postMessage, ready, signUp } from './helpers/web-page';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-'));
const SCREENSHOT = join(ROOT, 'test-results', 'web-logged-in.png');

let browser: Browser;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web app in Chromium, served by npm start', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ AUTH_SQLITE_FILE: join(dir, 'web.db') });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('signs up, posts, shows the post to a second person, keeps the person logged in on reload, and logs out', async () => {
    const { page, context, ...seen } = await openPage(browser, server.url, contexts);
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

    const other = await openPage(browser, server.url, contexts);
    await expect.poll(() => messageTexts(other.page)).toEqual(['A second note, <b>not bold</b>', 'Hello from Ada']);
    expect(await other.page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    expect(await other.page.getByRole('button', { name: 'Log in', exact: true }).isVisible()).toBe(true);

    await page.reload();
    await ready(page);
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    expect(await page.getByRole('status').textContent()).toBe('You are logged out.');
    expect(await page.getByRole('button', { name: 'Log in', exact: true }).isVisible()).toBe(true);
    // The logout came from the page's own origin and ended the cookie's own session: the cookie is gone.
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('gatehouse_token');
    for (const { errors, console, failures } of [seen, other]) expect({ errors, console, failures }).toEqual({ errors: [], console: [], failures: [] });
  });

  it('loads with an empty console and no failed request, logged out and logged in, its icon included', async () => {
    const { page, responses, ...seen } = await openPage(browser, server.url, contexts);
    expect({ errors: seen.errors, console: seen.console, failures: seen.failures }).toEqual({ errors: [], console: [], failures: [] });
    // Nobody logged in, learned from a 200 rather than a refused /user/myprofile.
    const loaded = [
      '200 GET /',
      '200 GET /styles.css',
      '200 GET /app.js',
      '200 GET /config.json',
      '200 GET /favicon.svg',
      '200 GET /session',
      '200 GET /messages',
    ];
    expect([...responses].sort()).toEqual([...loaded].sort());

    await logIn(page, 'ada', 'analytical engine notes');
    await expect.poll(() => page.getByText('Logged in as').isVisible()).toBe(true);
    // After a login the page asks for the account's email state; a reload learns it from /session.
    await expect.poll(() => responses.includes('200 GET /user/myprofile')).toBe(true);
    const before = responses.length;
    await page.reload();
    await ready(page);
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);
    expect(responses.slice(before).sort()).toEqual([...loaded].sort());
    expect({ errors: seen.errors, console: seen.console, failures: seen.failures }).toEqual({ errors: [], console: [], failures: [] });

    // The icon itself: an SVG, under the web app's own headers.
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('content-security-policy')).toBe(WEB_CSP);
    expect(icon.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('favicon.svg');
  });

  it('shows a wrong password as an error, in words', async () => {
    const { page } = await openPage(browser, server.url, contexts);
    await logIn(page, 'ada', 'not the right passphrase');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong username or password.');
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    await page.screenshot({ path: join(ROOT, 'test-results', 'web-login-error.png'), fullPage: true });
  });

  it('refuses a post once the session was ended from another device, keeps the draft for its writer and for nobody else', async () => {
    const { page, context } = await openPage(browser, server.url, contexts);
    await logIn(page, 'ada', 'analytical engine notes');
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);
    const token = (await context.cookies()).find((cookie) => cookie.name === 'gatehouse_token')!.value;
    expect((await postJson(`${server.url}/logout`, { token })).status).toBe(200);

    await postMessage(page, 'Still here?');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Your session has ended');
    expect(await page.getByRole('tabpanel', { name: 'Log in' }).getByLabel('Username').inputValue()).toBe('ada');

    // Someone else logs in on this tab: Ada's draft is not theirs to see.
    expect((await postJson(`${server.url}/register`, { name: 'Charles Babbage', username: 'charles', password: 'difference engine two' })).status).toBe(201);
    await logIn(page, 'charles', 'difference engine two');
    await expect.poll(() => page.locator('#who').textContent()).toContain('Charles Babbage');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('');
  });
});

describe('the web app served from another origin (as from S3/CloudFront)', () => {
  let api: RunningServer;
  let site: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    // Each side must know the other's origin before it starts.
    const [apiPort, sitePort] = (await freePorts(2)) as [number, number];
    site = await startStaticSite(`http://127.0.0.1:${apiPort}`, sitePort);
    api = await startServer({ AUTH_SQLITE_FILE: join(dir, 'cross.db'), AUTH_CORS_ORIGINS: site.url }, { port: apiPort });
  });
  afterAll(async () => {
    await site?.close();
    await api?.stop();
  });

  it('signs up, posts, stays logged in on reload and logs out, with CORS and a bearer token', async () => {
    const { page, errors, console, failures } = await openPage(browser, site.url, contexts);
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
    await ready(page);
    expect(await page.getByRole('button', { name: 'Post' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('#who').textContent()).toContain('Grace Hopper');
    expect(sent).toContain('GET /session bearer');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Post' }).isVisible()).toBe(false);
    expect(
      await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('gatehouse.token')),
    ).toBeNull();
    expect((await postJson(`${api.url}/verify`, { token })).status).toBe(401);
    // Logged out, a reload asks the API nothing about who is logged in: there is no token to ask with.
    sent.length = 0;
    await page.reload();
    await ready(page);
    expect(sent).toEqual(['GET /messages -']);
    expect({ errors, console, failures }).toEqual({ errors: [], console: [], failures: [] });
  });
});
