import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { totpCode } from '../../src/core/totp';
import { postJson } from './server';
import { wrongTotpCode } from './totp-codes';

// Driving the web app's two-step verification as a person would: its section, the login's second
// step, and an account set up over the API.

export const PASSWORD = 'a long and unusual passphrase';
export const STEP = 30_000;

export const section = (page: Page) => page.getByRole('region', { name: 'Two-step verification' });
export const stateText = (page: Page) => page.locator('#two-step-state').textContent();
export const alertText = (page: Page) => page.getByRole('alert').textContent();
/** The app's code field of the login's second step (the section has one of its own, for the setup). */
export const loginCode = (page: Page) => page.getByRole('region', { name: 'Your account' }).getByLabel('Code from your app');
export const loggedIn = (page: Page) => page.getByText('Logged in as').isVisible();
/** A code no app shows now, nor in the next step. */
export const wrongCode = (secret: string) => wrongTotpCode(secret, Date.now());

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect.poll(() => page.getByRole('tab', { name: 'Log in' }).isVisible()).toBe(true);
}

/** A change in the section: its button, then the current password it asks for first. */
export async function withPassword(page: Page, button: string, password = PASSWORD) {
  await section(page).getByRole('button', { name: button, exact: true }).click();
  const field = section(page).getByLabel('Current password');
  await field.fill(password);
  await field.press('Enter');
  return field;
}

/** The second step of a login: the app's code, or (after the switch) a recovery code. */
export async function secondStep(page: Page, { code, recoveryCode }: { code?: string; recoveryCode?: string }) {
  await page.getByRole('region', { name: 'Your account' }).getByRole('heading', { name: 'Two-step verification' }).waitFor();
  if (recoveryCode !== undefined) {
    if (await loginCode(page).isVisible()) await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code', { exact: true }).fill(recoveryCode);
  } else await loginCode(page).fill(code ?? '');
  await page.getByRole('button', { name: 'Verify' }).click();
}

/** Registers a user and turns two-step verification on over the API: the secret, and the token of the session that did it. */
export async function enableOverApi(apiUrl: string, username: string): Promise<{ secret: string; token: string }> {
  expect((await postJson(`${apiUrl}/register`, { name: username, username, password: PASSWORD })).status).toBe(201);
  const { body } = await postJson(`${apiUrl}/login`, { username, password: PASSWORD });
  const auth = { authorization: `Bearer ${body.response.token}` };
  const { secret } = (await postJson(`${apiUrl}/mfa/totp/setup`, { currentPassword: PASSWORD }, auth)).body;
  expect((await postJson(`${apiUrl}/mfa/totp/confirm`, { code: totpCode({ secret, now: Date.now() }) }, auth)).status).toBe(200);
  return { secret, token: body.response.token };
}
