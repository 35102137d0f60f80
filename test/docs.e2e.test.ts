import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../src/http/errors';
import { UNAUTHORIZED_CODES } from '../src/http/openapi-guide';
import { OPERATIONS } from '../src/http/openapi-operations';
import { launchChromium } from './helpers/browser';
import { ROOT, type RunningServer, startServer } from './helpers/server';

/** The little of the browser the page-side callbacks below use (this test program has no DOM types). */
interface PageNode {
  open: boolean;
  readonly id: string;
  readonly tagName: string;
  readonly className: string;
  readonly textContent: string | null;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getBoundingClientRect(): { right: number };
}
declare const document: { querySelectorAll(selector: string): Iterable<PageNode>; readonly documentElement: PageNode };
declare function getComputedStyle(node: PageNode): { display: string };
declare const navigator: { clipboard: { readText(): Promise<string> } };

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-docs-'));
const RESULTS = join(ROOT, 'test-results');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** The expanded POST /login measured 2,243 px at 1280×800 when every answer spelled out its schemas; now about 790. */
const LOGIN_HEIGHT_BOUND = 1000;

let browser: Browser;
let server: RunningServer;
let issuer: string;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startServer({ AUTH_SQLITE_FILE: join(dir, 'docs.db') })]);
  issuer = `http://localhost:${new URL(server.url).port}`;
  mkdirSync(RESULTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * /docs in a fresh profile. `problems` collects what a person would see as a fault: script errors,
 * console errors and warnings (CSP refusals among them), failed requests and error statuses;
 * `requests` every URL the page asked for.
 */
async function openDocs(viewport: { width: number; height: number }, permissions: string[] = []) {
  const context = await browser.newContext({ viewport });
  if (permissions.length) await context.grantPermissions(permissions, { origin: server.url });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => problems.push(`script: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('request', (request) => requests.push(request.url()));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  await page.goto(`${server.url}/docs`);
  await page.locator('body[data-ready="true"]').waitFor();
  return { page, context, problems, requests };
}

const expand = async (page: Page, id: string) => {
  await page.locator(`#${id} > summary`).click();
  await expect.poll(() => page.locator(`#${id}`).getAttribute('open')).toBe('');
};

describe('the API docs page at /docs, in Chromium', () => {
  it('lists every operation, from this origin alone, with nothing failing', async () => {
    const { page, problems, requests, context } = await openDocs(DESKTOP);
    expect(await page.locator('details.operation').count()).toBe(OPERATIONS.length);
    expect(await page.locator('#title').textContent()).toBe('Gatehouse API 0.1.0');
    expect(await page.locator('#postLogin > summary .lock').count()).toBe(0);
    expect(await page.locator('#getUserMyprofile > summary').textContent()).toContain('(token required)');
    expect(await page.locator('#postVerify > summary').textContent()).toContain('(token in the body, a bearer header or the cookie)');
    expect(await page.locator('#getSession > summary').textContent()).toContain('(token optional: a bearer header or the cookie)');
    expect(requests.every((url) => url.startsWith(`${server.url}/`) || url.startsWith('data:'))).toBe(true);
    expect(requests.filter((url) => !url.startsWith('data:')).map((url) => new URL(url).pathname)).toEqual([
      '/docs',
      '/docs/docs.css',
      '/docs/docs.js',
      '/openapi.json',
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('opens with how to authenticate, every 401 code explained, taken from the document', async () => {
    const { page, context } = await openDocs(DESKTOP);
    const section = page.locator('#how-to-authenticate');
    expect(await section.locator('h2').textContent()).toBe('How to authenticate');
    // It comes before the operations, and says where a token comes from and how it is renewed.
    const top = (selector: string) => page.locator(selector).evaluate((node) => node.getBoundingClientRect().top);
    expect(await top('#how-to-authenticate')).toBeLessThan(await top('#operations'));
    const text = (await section.textContent()) ?? '';
    for (const phrase of ['POST /login', 'Authorization: Bearer <token>', 'HttpOnly cookie gatehouse_token', 'POST /token/refresh'])
      expect(text).toContain(phrase);
    const listed = await section.locator('ul li').allTextContents();
    const unauthorized = Object.entries(ERRORS).filter(([, entry]) => entry.status === 401);
    expect(listed).toEqual(unauthorized.map(([code]) => `${code}: ${UNAUTHORIZED_CODES[code]!.replace(/`/g, '')}`));
    await context.close();
  });

  it('shows POST /login expanded in under 1,000 px, its shared answers by reference and its schemas resolved', async () => {
    const { page, problems, context } = await openDocs(DESKTOP);
    await expand(page, 'postLogin');
    const login = page.locator('#postLogin');
    const height = await login.evaluate((node) => node.getBoundingClientRect().height);
    console.log(`expanded POST /login at 1280×800: ${Math.round(height)} px`);
    expect(height).toBeLessThan(LOGIN_HEIGHT_BOUND);
    expect(await login.textContent()).toContain('"code":"invalid_credentials"');
    await page.screenshot({ path: join(RESULTS, 'docs-login.png'), fullPage: true });

    // The 200's schema, opened: either LoggedIn (its own fields and the ones it takes from TokenPair),
    // or, with two-step verification on, the second step to take.
    await login.getByText('LoginAnswer fields').click();
    const answer200 = login.locator('.answer').first();
    expect(await answer200.locator('.fields > li > .type').allTextContents()).toContain('either');
    const fields = await answer200.locator('.fields > li > code').allTextContents();
    expect(fields).toEqual([
      'message',
      'response',
      'username',
      'name',
      'token',
      'tokenType',
      'expiresIn',
      'refreshToken',
      'message',
      'mfaRequired',
      'mfaToken',
      'expiresIn',
    ]);
    // The 401's schema is the shared Error, resolved in place.
    await login.locator('.answer', { hasText: 'Wrong username' }).getByText('Error fields').click();
    expect(await login.locator('.answer', { hasText: 'Wrong username' }).locator('.fields > li > code').allTextContents()).toEqual([
      'message',
      'code',
      'field',
      'verified',
    ]);
    // 4XX and 5XX are one line each, pointing at the answers described once at the top.
    const refused = login.locator('.answer', { hasText: '4XX' });
    expect(await refused.locator('pre, .fields').count()).toBe(0);
    await refused.getByRole('link', { name: 'see Refused' }).click();
    expect(new URL(page.url()).hash).toBe('#response-Refused');
    expect(await page.locator('#errors .fields').first().locator('> li > code').allTextContents()).toEqual(['message', 'code', 'field', 'verified']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a 390 px wide screen: long tokens wrap, nothing is wider than the viewport', async () => {
    const { page, problems, context } = await openDocs(PHONE);
    // Everything open at once: every operation and every schema.
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = true;
    });
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((node) => node.getBoundingClientRect().right > width + 0.5 || node.scrollWidth > node.clientWidth + 1)
        .filter((node) => getComputedStyle(node).display !== 'inline')
        .map((node) => `${node.tagName}.${node.className}: ${node.textContent?.slice(0, 40)}`);
      return { width, scrollWidth: document.documentElement.scrollWidth, wide };
    });
    expect(overflow).toEqual({ width: PHONE.width, scrollWidth: PHONE.width, wide: [] });
    // The login example's token is whole, wrapped inside its box.
    const token = page.locator('#postLogin pre', { hasText: '"token"' });
    expect(await token.evaluate((node) => node.getBoundingClientRect().right)).toBeLessThanOrEqual(PHONE.width);
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = details.id === 'postLogin';
    });
    await page.screenshot({ path: join(RESULTS, 'docs-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('copies the curl command of POST /login, which works pasted into a shell, as do the ones it leads to', async () => {
    const { page, problems, context } = await openDocs(DESKTOP, ['clipboard-read', 'clipboard-write']);
    const copied = async (id: string) => {
      await expand(page, id);
      const button = page.locator(`#${id}`).getByRole('button', { name: /^Copy the curl command/ });
      await button.click();
      await expect.poll(() => button.textContent()).toBe('Copied');
      return page.evaluate(() => navigator.clipboard.readText());
    };
    const login = await copied('postLogin');
    expect(login).toBe(
      `curl -X POST '${issuer}/login' \\\n` +
        `  -H 'Content-Type: application/json' \\\n` +
        `  -d '{"username":"arindam369","password":"a long and unusual passphrase"}'`,
    );
    expect(await page.locator('#postLogin pre.curl').textContent()).toBe(login);
    expect(await page.getByRole('status').textContent()).toBe('Copied the curl command for POST /login');

    const shell = (command: string, env: Record<string, string> = {}) => {
      const run = spawnSync('/bin/sh', ['-c', `${command} --silent --show-error`], { encoding: 'utf8', env: { ...process.env, ...env } });
      expect(run.stderr).toBe('');
      return JSON.parse(run.stdout);
    };
    expect(shell(await copied('postRegister'))).toMatchObject({ message: 'User registered successfully', user: { username: 'arindam369' } });
    const answer = shell(login);
    expect(answer).toMatchObject({ message: 'User logged in successfully', response: { username: 'arindam369', name: 'Arindam Halder' } });
    expect(shell(await copied('getUserMyprofile'), { TOKEN: answer.response.token })).toMatchObject({ username: 'arindam369' });
    expect(problems).toEqual([]);
    await context.close();
  });
});
