import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser';
import { freePorts, postJson, ROOT, type RunningServer, startServer } from './helpers/server';
import { serverStores } from './helpers/server-stores';
import { addVirtualAuthenticator, browserCreate, browserGet } from './helpers/virtual-authenticator';
import { mode, openPage, signUp } from './helpers/web-page';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-passkeys-'));
const SCREENSHOT = join(ROOT, 'test-results', 'web-passkeys.png');
const KEY = Buffer.alloc(32, 7).toString('base64');

let browser: Browser;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const alertText = (page: Page) => page.getByRole('alert').textContent();
const loggedIn = (page: Page) => page.getByText('Logged in as').isVisible();
const passkeyNames = (page: Page) => page.locator('#passkey-list .name').allTextContents();

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect.poll(() => loggedIn(page)).toBe(false);
}

/** "Sign in with a passkey" on the log-in form, with that username typed (or none). */
async function signInWithPasskey(page: Page, username = '') {
  const panel = await mode(page, 'Log in');
  await panel.getByLabel('Username', { exact: true }).fill(username);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
}

describe('passkeys in the web app, in Chromium with a virtual authenticator', () => {
  let server: RunningServer;
  let url: string;
  beforeAll(async () => {
    server = await startServer({ AUTH_SQLITE_FILE: join(dir, 'web.db'), AUTH_KEY_ENCRYPTION_KEY: KEY });
    // WebAuthn needs a secure context and a domain: http://localhost is both (127.0.0.1 is no domain).
    url = server.url.replace('127.0.0.1', 'localhost');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('adds a passkey, signs in with it with and without a username, removes it, and is then refused', async () => {
    const { page, errors, console: printed, failures } = await openPage(browser, url, contexts);
    const authenticator = await addVirtualAuthenticator(page);
    await signUp(page, 'Ada Lovelace', 'ada', 'analytical engine notes');
    await expect.poll(() => page.getByText('You have no passkeys yet.').isVisible()).toBe(true);

    await page.getByLabel('Passkey name', { exact: true }).fill('Laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => passkeyNames(page)).toEqual(['Laptop']);
    expect(await page.getByRole('status').textContent()).toBe('Passkey “Laptop” added. Next time, sign in with it.');
    expect(await page.getByText('not used yet').isVisible()).toBe(true);
    const [credential] = await authenticator.credentials();
    // Chromium's authenticator counts its signatures, the one over the new credential included.
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost', signCount: 1 });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    for (const username of ['ada', '']) {
      await logOut(page);
      expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).toBe(true);
      await signInWithPasskey(page, username);
      await expect.poll(() => loggedIn(page)).toBe(true);
      expect(await page.locator('#who').textContent()).toContain('Ada Lovelace');
      expect(await page.getByRole('status').textContent()).toBe('Welcome, Ada Lovelace.');
      // The session cookie came with it, and its token says how the person proved who they are.
      const token = (await page.context().cookies()).find((cookie) => cookie.name === 'gatehouse_token')!.value;
      expect(decodeJwt(token)).toMatchObject({ sub: 'ada', amr: ['webauthn'] });
    }
    expect((await authenticator.credentials())[0]!.signCount).toBe(3);
    await expect.poll(() => page.getByText(/last used/).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Remove passkey Laptop' }).click();
    await expect.poll(() => passkeyNames(page)).toEqual([]);
    expect(await page.getByRole('status').textContent()).toBe('Passkey “Laptop” removed: it can no longer sign in.');
    await logOut(page);
    // The authenticator still holds the credential; the server no longer takes it.
    for (const username of ['', 'ada']) {
      await signInWithPasskey(page, username);
      await expect.poll(() => alertText(page)).toBe('That passkey was not accepted.');
      expect(await loggedIn(page)).toBe(false);
      await page.evaluate(() => (globalThis as any).document.getElementById('error').setAttribute('hidden', ''));
    }
    expect(errors).toEqual([]);
    expect(failures).toEqual(['401 POST /passkeys/login', '401 POST /passkeys/login']);
    expect(printed.filter((line) => !line.includes('status of 401'))).toEqual([]);
  });

  it('refuses a copy of the credential whose signature counter lags behind, and logs it; the original goes on', async () => {
    const original = await openPage(browser, url, contexts);
    const genuine = await addVirtualAuthenticator(original.page);
    await signUp(original.page, 'Grace Hopper', 'grace', 'compilers all the way down');
    await original.page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => passkeyNames(original.page)).toEqual(['Passkey']);
    await logOut(original.page);
    await signInWithPasskey(original.page, 'grace');
    await expect.poll(() => loggedIn(original.page)).toBe(true);

    // The private key copied out, into an authenticator of another browser, with an old count.
    const [credential] = await genuine.credentials();
    expect(credential!.signCount).toBe(2);
    const copy = await openPage(browser, url, contexts);
    await (await addVirtualAuthenticator(copy.page)).addCredential({ ...credential!, signCount: 0 });
    await signInWithPasskey(copy.page);
    await expect.poll(() => alertText(copy.page)).toBe('That passkey was not accepted.');
    expect(await loggedIn(copy.page)).toBe(false);
    await expect.poll(() => server.output()).toContain('the credential may have been cloned');
    const warning = server
      .output()
      .split('\n')
      .find((line) => line.includes('may have been cloned'))!;
    expect(JSON.parse(warning)).toMatchObject({
      level: 'warn',
      credential: createHash('sha256').update(credential!.credentialId.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')).digest('base64url'),
      stored: 2,
      presented: 1,
    });

    await logOut(original.page);
    await signInWithPasskey(original.page);
    await expect.poll(() => loggedIn(original.page)).toBe(true);
  });
});

describe.each(serverStores)('a ceremony begun on one server process and finished on another, on $name', (kind) => {
  let first: RunningServer;
  let second: RunningServer;
  let page: Page;
  beforeAll(async () => {
    const [a, b] = (await freePorts(2)) as [number, number];
    const env = {
      ...kind.env(dir, 'two-servers'),
      AUTH_KEY_ENCRYPTION_KEY: KEY,
      // One service behind two addresses: one issuer, the pages of either origin.
      AUTH_ISSUER: `http://localhost:${a}`,
      AUTH_RP_ID: 'localhost',
      AUTH_RP_ORIGINS: `http://localhost:${a},http://localhost:${b}`,
    };
    first = await startServer(env, { port: a });
    second = await startServer(env, { port: b });
    ({ page } = await openPage(browser, `http://localhost:${a}`, contexts));
    await addVirtualAuthenticator(page);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  const call = async (server: RunningServer, path: string, body: unknown, token?: string) =>
    postJson(`${server.url}${path}`, body, token ? { authorization: `Bearer ${token}` } : {});

  it('registers and logs in across the two: any instance finishes what another began, and only once', async () => {
    expect((await call(first, '/register', { name: 'Alan Turing', username: 'alan', password: 'on computable numbers' })).status).toBe(201);
    const token = (await call(first, '/login', { username: 'alan', password: 'on computable numbers' })).body.response.token as string;

    const creation = await call(first, '/passkeys/register/options', undefined, token);
    expect(creation.status).toBe(200);
    const registration = await browserCreate(page, creation.body);
    const added = await call(second, '/passkeys/register', { response: registration, name: 'Two servers' }, token);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: registration.id, name: 'Two servers' });
    expect((await call(first, '/passkeys/register', { response: registration }, token)).body.code).toBe('passkey_not_verified');

    const request = await call(second, '/passkeys/login/options', {});
    const assertion = await browserGet(page, request.body);
    const login = await call(first, '/passkeys/login', { response: assertion });
    expect(login.status).toBe(200);
    expect(decodeJwt(login.body.response.token)).toMatchObject({ sub: 'alan', amr: ['webauthn'] });
    const replay = await call(second, '/passkeys/login', { response: assertion });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid_passkey');

    const named = await call(first, '/passkeys/login/options', { username: 'alan' });
    expect(named.body.allowCredentials.map((c: { id: string }) => c.id)).toEqual([registration.id]);
    const again = await call(second, '/passkeys/login', { response: await browserGet(page, named.body) });
    expect(again.status).toBe(200);
    expect((await call(second, '/verify', { token: again.body.response.token })).body).toMatchObject({ verified: true, amr: ['webauthn'] });
  });
});
