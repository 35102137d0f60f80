import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const PHONE = { width: 390, height: 844 };

export interface OpenedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Script errors: always a fault. */
  readonly errors: string[];
  /** Everything the page printed to its console, of any level. */
  readonly console: string[];
  /** Requests that failed or answered 4xx/5xx, as `STATUS METHOD PATH`. */
  readonly failures: string[];
  /** Every request, as `STATUS METHOD PATH`. */
  readonly responses: string[];
}

/** Starts collecting what a page shows in its console and network panel. */
export function watch(page: Page): Pick<OpenedPage, 'errors' | 'console' | 'failures' | 'responses'> {
  const seen = { errors: [] as string[], console: [] as string[], failures: [] as string[], responses: [] as string[] };
  const where = (url: string) => (url.startsWith('data:') ? url.slice(0, 30) : new URL(url).pathname);
  page.on('pageerror', (error) => seen.errors.push(error.message));
  page.on('console', (message) => seen.console.push(`${message.type()}: ${message.text()}`));
  page.on('requestfailed', (request) => seen.failures.push(`failed ${request.method()} ${where(request.url())}: ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    const line = `${response.status()} ${response.request().method()} ${where(response.url())}`;
    seen.responses.push(line);
    if (response.status() >= 400) seen.failures.push(line);
  });
  return seen;
}

/** A page in a fresh browser profile (a phone's screen), loaded and ready. */
export async function openPage(browser: Browser, url: string, contexts: BrowserContext[] = []): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: PHONE });
  contexts.push(context);
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(url);
  await ready(page);
  return { page, context, ...seen };
}

export async function ready(page: Page): Promise<void> {
  await page.locator('body[data-ready="true"]').waitFor();
  await page.waitForLoadState('networkidle');
}

/** The panel of a mode, chosen with its tab. */
export async function mode(page: Page, name: 'Log in' | 'Sign up') {
  await page.getByRole('tab', { name }).click();
  return page.getByRole('tabpanel', { name });
}

export async function signUp(page: Page, name: string, username: string, password: string) {
  const panel = await mode(page, 'Sign up');
  await panel.getByLabel('Name', { exact: true }).fill(name);
  await panel.getByLabel('Username', { exact: true }).fill(username);
  await panel.getByLabel('Password', { exact: true }).fill(password);
  await panel.getByRole('button', { name: 'Sign up', exact: true }).click();
  await expect.poll(() => page.getByText('Logged in as').isVisible()).toBe(true);
}

export async function logIn(page: Page, username: string, password: string) {
  const panel = await mode(page, 'Log in');
  await panel.getByLabel('Username', { exact: true }).fill(username);
  await panel.getByLabel('Password', { exact: true }).fill(password);
  await panel.getByRole('button', { name: 'Log in', exact: true }).click();
}

export async function postMessage(page: Page, text: string) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Post', exact: true }).click();
}

export const messageTexts = (page: Page) => page.locator('#messages .text').allTextContents();

/** The error a field shows: the visible note its aria-describedby names, and whether it is marked invalid. */
export async function errorOfField(field: Locator): Promise<{ invalid: string | null; text: string | null }> {
  const id = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').find((each) => each.endsWith('-error'));
  const note = field.page().locator(`[id="${id}"]`);
  const text = id && (await note.isVisible()) ? await note.textContent() : null;
  return { invalid: await field.getAttribute('aria-invalid'), text };
}
