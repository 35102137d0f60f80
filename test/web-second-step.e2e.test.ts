import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/core/totp';
import { launchChromium } from './helpers/browser';
import { freePorts, postJson, type RunningServer, startServer } from './helpers/server';
import { startStaticSite } from './helpers/static-site';
import { alertText, enableOverApi, loggedIn, loginCode, PASSWORD, STEP, secondStep, stateText, wrongCode } from './helpers/two-step-page';
import { logIn, openPage, ready } from './helpers/web-page';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-second-step-'));

let browser: Browser;
let server: RunningServer;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startServer({ AUTH_SQLITE_FILE: join(dir, 'second-step.db') })]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the second step of a login in the web app, in Chromium', () => {
  it('ends the second step after 5 wrong codes, and when the server ends it, and goes back to the password with the username kept', async () => {
    const { secret, token } = await enableOverApi(server.url, 'una');
    const { page, errors } = await openPage(browser, server.url, contexts);
    await logIn(page, 'una', PASSWORD);
    for (let i = 1; i <= 4; i++) {
      await secondStep(page, { code: wrongCode(secret) });
      await expect.poll(() => alertText(page)).toMatch(new RegExp(`${5 - i} tr(?:y|ies) left\\.$`));
    }
    // A code that cannot be right is refused here, and takes no try.
    await secondStep(page, { code: '12345' });
    expect(await alertText(page)).toBe('Enter the 6 digits your app shows.');
    await secondStep(page, { code: wrongCode(secret) });
    await expect.poll(() => alertText(page)).toBe('That was the 5th wrong code, so this login was stopped. Log in again with your password.');
    const login = page.getByRole('tabpanel', { name: 'Log in' });
    expect(await login.getByLabel('Username').inputValue()).toBe('una');
    expect(await login.getByLabel('Password').evaluate((node) => node === (node.ownerDocument as { activeElement: unknown }).activeElement)).toBe(true);
    expect(await loginCode(page).isVisible()).toBe(false);

    // The password changed elsewhere meanwhile: the server ends the step, even for a right code.
    await logIn(page, 'una', PASSWORD);
    await expect.poll(() => loginCode(page).isVisible()).toBe(true);
    const auth = { authorization: `Bearer ${token}` };
    expect((await postJson(`${server.url}/password`, { currentPassword: PASSWORD, newPassword: 'another long passphrase' }, auth)).status).toBe(200);
    await secondStep(page, { code: totpCode({ secret, now: Date.now() + STEP }) });
    await expect.poll(() => alertText(page)).toBe('This login step has expired or was already used. Log in again with your password.');
    expect(await page.getByRole('tabpanel', { name: 'Log in' }).getByLabel('Username').inputValue()).toBe('una');
    expect(errors).toEqual([]);
  });

  it('ends the second step once its 5 minutes have passed on the page', async () => {
    await enableOverApi(server.url, 'vera');
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(server.url);
    await ready(page);
    await logIn(page, 'vera', PASSWORD);
    await expect.poll(() => loginCode(page).isVisible()).toBe(true);
    await page.clock.fastForward('04:59');
    expect(await loginCode(page).isVisible()).toBe(true);
    await page.clock.fastForward('00:02');
    await expect.poll(() => alertText(page)).toBe('The 5 minutes for entering a code have passed, so this login was stopped. Log in again with your password.');
    expect(await page.getByRole('tabpanel', { name: 'Log in' }).getByLabel('Username').inputValue()).toBe('vera');
    expect(await loginCode(page).isVisible()).toBe(false);
  });

  it('logs in with a code from another origin (as from S3/CloudFront): the bearer token is kept, and the section shows it on', async () => {
    const [apiPort, sitePort] = (await freePorts(2)) as [number, number];
    const site = await startStaticSite(`http://127.0.0.1:${apiPort}`, sitePort);
    const api = await startServer({ AUTH_SQLITE_FILE: join(dir, 'cross.db'), AUTH_CORS_ORIGINS: site.url }, { port: apiPort });
    try {
      const { secret } = await enableOverApi(api.url, 'wes');

      const { page, errors, console, failures } = await openPage(browser, site.url, contexts);
      await logIn(page, 'wes', PASSWORD);
      await secondStep(page, { code: totpCode({ secret, now: Date.now() + STEP }) });
      await expect.poll(() => loggedIn(page)).toBe(true);
      const stored = await page.evaluate('localStorage.getItem("gatehouse.token")');
      expect((await postJson(`${api.url}/verify`, { token: stored })).body.amr).toEqual(['pwd', 'otp']);
      await expect.poll(() => stateText(page)).toMatch(/^On: .* 10 recovery codes left\.$/);
      await page.reload();
      await ready(page);
      expect(await stateText(page)).toMatch(/^On: /);
      expect({ errors, console, failures }).toEqual({ errors: [], console: [], failures: [] });
    } finally {
      await site.close();
      await api.stop();
    }
  });
});
