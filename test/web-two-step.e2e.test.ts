import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/core/totp';
import { launchChromium } from './helpers/browser';
import { readQrCode } from './helpers/qr-image';
import { postJson, ROOT, type RunningServer, startServer } from './helpers/server';
import { alertText, loggedIn, loginCode, logOut, PASSWORD, STEP, secondStep, section, stateText, withPassword, wrongCode } from './helpers/two-step-page';
import { errorOfField, logIn, openPage, signUp } from './helpers/web-page';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-two-step-'));
const RESULTS = join(ROOT, 'test-results');

let browser: Browser;
let server: RunningServer;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startServer({ AUTH_SQLITE_FILE: join(dir, 'two-step.db') })]);
  mkdirSync(RESULTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('two-step verification in the web app, in Chromium', () => {
  // One person's whole story, step by step: longer than one request, so its own time limit.
  it('turns on from the QR code, saves the recovery codes, logs in with a code and with a recovery code (once), renews them and turns off', async () => {
    const { page, context, errors, console, failures } = await openPage(browser, server.url, contexts);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await signUp(page, 'Tom Kilburn', 'tom', PASSWORD);
    await expect.poll(() => stateText(page)).toMatch(/^Off: your password alone logs you in\./);

    // The current password first; a wrong one is said under its field.
    const password = await withPassword(page, 'Turn on', 'not my password');
    await expect.poll(() => errorOfField(password)).toEqual({ invalid: 'true', text: 'Current password is wrong.' });
    await password.fill(PASSWORD);
    await password.press('Enter');
    const qr = section(page).getByRole('img', { name: 'QR code that adds this account to an authenticator app' });
    await qr.waitFor();
    await page.screenshot({ path: join(RESULTS, 'web-totp-setup.png'), fullPage: true });

    // The QR code, as drawn, holds the key shown as text, for this account.
    const shown = (await page.locator('#two-step-secret').textContent()) ?? '';
    expect(shown).toMatch(/^(?:[A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    const secret = shown.replaceAll(' ', '');
    expect(await readQrCode(browser, await qr.screenshot())).toBe(
      `otpauth://totp/Gatehouse:tom?issuer=Gatehouse&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    await section(page).getByRole('button', { name: 'Copy key' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(secret);

    const code = section(page).getByLabel('Code from your app');
    expect([await code.getAttribute('inputmode'), await code.getAttribute('autocomplete')]).toEqual(['numeric', 'one-time-code']);
    // Not the form of a code: said at the field, and nothing is sent.
    await code.fill('12 345');
    await code.press('Enter');
    await expect.poll(() => errorOfField(code)).toEqual({ invalid: 'true', text: 'Enter the 6 digits your app shows.' });
    expect(await code.evaluate((node) => node === (node.ownerDocument as { activeElement: unknown }).activeElement)).toBe(true);
    await code.fill(wrongCode(secret));
    await code.press('Enter');
    await expect.poll(() => errorOfField(code)).toEqual({ invalid: 'true', text: 'That code is not the one your app shows now; try the next one.' });
    await code.fill(totpCode({ secret, now: Date.now() }));
    await code.press('Enter');

    // The recovery codes, once: on the page and in the downloaded file.
    const list = section(page).getByRole('list', { name: 'Save your recovery codes' }).getByRole('listitem');
    await expect.poll(() => list.count()).toBe(10);
    const recoveryCodes = await list.allTextContents();
    await page.screenshot({ path: join(RESULTS, 'web-totp-recovery-codes.png'), fullPage: true });
    for (const each of recoveryCodes) expect(each).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    const [download] = await Promise.all([page.waitForEvent('download'), section(page).getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('recovery-codes-tom.txt');
    const file = readFileSync(await download.path(), 'utf8');
    expect(file.split('\n').filter((line) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(line))).toEqual(recoveryCodes);
    expect(file).toContain('Recovery codes for tom');
    await section(page).getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(recoveryCodes.join('\n'));
    await section(page).getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(() => stateText(page)).toMatch(/^On: .* 10 recovery codes left\.$/);
    await page.screenshot({ path: join(RESULTS, 'web-totp-on.png'), fullPage: true });
    expect(await list.count()).toBe(0);
    expect(await page.getByRole('status').textContent()).toBe('Two-step verification is on: from now on, logging in asks for a code from your app.');

    // A login now asks for the code after the password; a wrong one is said in words, with the tries left.
    await logOut(page);
    await logIn(page, 'tom', PASSWORD);
    await expect.poll(() => loginCode(page).isVisible()).toBe(true);
    // The step takes the place of the tabs, and the password typed is not kept in the page.
    expect(await page.getByRole('tab', { name: 'Log in' }).isVisible()).toBe(false);
    expect(await page.locator('#login-password').inputValue()).toBe('');
    await secondStep(page, { code: wrongCode(secret) });
    await expect
      .poll(() => alertText(page))
      .toBe('That code is not right. Check the app shows it for this account, and type the one it shows now. 4 tries left.');
    await page.screenshot({ path: join(RESULTS, 'web-totp-login-code.png'), fullPage: true });
    // The next step's code: the one that confirmed the setup is spent.
    await secondStep(page, { code: totpCode({ secret, now: Date.now() + STEP }) });
    await expect.poll(() => loggedIn(page)).toBe(true);
    const cookie = (await context.cookies()).find((each) => each.name === 'gatehouse_token')!.value;
    expect((await postJson(`${server.url}/verify`, { token: cookie })).body.amr).toEqual(['pwd', 'otp']);

    // A recovery code in place of the app's code: accepted once, refused the second time.
    await logOut(page);
    await logIn(page, 'tom', PASSWORD);
    await secondStep(page, { recoveryCode: recoveryCodes[0]! });
    await expect.poll(() => loggedIn(page)).toBe(true);
    await expect.poll(() => stateText(page)).toMatch(/ 9 recovery codes left\.$/);
    await logOut(page);
    await logIn(page, 'tom', PASSWORD);
    await secondStep(page, { recoveryCode: recoveryCodes[0]! });
    await expect.poll(() => alertText(page)).toBe('That recovery code is not right, or it was already used. 4 tries left.');
    await secondStep(page, { recoveryCode: recoveryCodes[1]! });
    await expect.poll(() => loggedIn(page)).toBe(true);
    await expect.poll(() => stateText(page)).toMatch(/ 8 recovery codes left\.$/);

    // New recovery codes: the old ones stop working.
    await withPassword(page, 'New recovery codes');
    await expect.poll(() => list.count()).toBe(10);
    const renewed = await list.allTextContents();
    expect(renewed).not.toContain(recoveryCodes[2]);
    await section(page).getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(() => stateText(page)).toMatch(/ 10 recovery codes left\.$/);
    const step = (await postJson(`${server.url}/login`, { username: 'tom', password: PASSWORD })).body;
    expect((await postJson(`${server.url}/login/mfa`, { mfaToken: step.mfaToken, recoveryCode: recoveryCodes[2] })).status).toBe(401);

    // Off: the password alone logs in again.
    await withPassword(page, 'Turn off');
    await expect.poll(() => stateText(page)).toMatch(/^Off: /);
    expect(await page.getByRole('status').textContent()).toBe('Two-step verification is off: your password alone logs you in.');
    await logOut(page);
    await logIn(page, 'tom', PASSWORD);
    await expect.poll(() => loggedIn(page)).toBe(true);

    expect(errors).toEqual([]);
    // The only failed requests are the refusals above, and the console says nothing else.
    expect(failures).toEqual(['403 POST /mfa/totp/setup', '400 POST /mfa/totp/confirm', '401 POST /login/mfa', '401 POST /login/mfa']);
    expect(console.filter((line) => !/^error: Failed to load resource: the server responded with a status of 40[013]/.test(line))).toEqual([]);
  }, 90_000);
});
