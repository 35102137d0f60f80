// @ts-check
// Passkeys: "Sign in with a passkey" on the log-in form (with the username typed, or without one
// to pick any passkey), and, when logged in, the person's passkeys with "Add a passkey" and
// "Remove". The browser's WebAuthn calls go through @simplewebauthn/browser.

import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { loggedIn, sessionHasEnded } from './account-view.js';
import { busy, byId, element, make, onSubmit } from './dom.js';
import { clearFormErrors, describe, say, showError, watchFormErrors } from './feedback.js';

/** @typedef {import('../src/client/gatehouse-client.ts').Passkey} Passkey */
/** @typedef {import('@simplewebauthn/browser').PublicKeyCredentialCreationOptionsJSON} CreationOptionsJSON */
/** @typedef {import('@simplewebauthn/browser').PublicKeyCredentialRequestOptionsJSON} RequestOptionsJSON */

const form = () => byId('passkey-form', HTMLFormElement);
const nameInput = () => byId('passkey-name', HTMLInputElement);

/**
 * Words for what the browser or the API said.
 * @param {unknown} error
 */
function describePasskeyError(error) {
  if (error instanceof GatehouseError) return describe(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') return 'The passkey request was cancelled or timed out. Try again when you are ready.';
  if (name === 'InvalidStateError') return 'This device already holds a passkey for your account.';
  if (name === 'SecurityError') return 'Passkeys do not work on this address: it needs https (or localhost).';
  return 'Your browser could not use a passkey. Please try again.';
}

/**
 * @param {import('./api.js').Api} api
 * @param {HTMLButtonElement} button
 */
async function signIn(api, button) {
  const username = byId('login-username', HTMLInputElement).value.trim();
  say('none');
  try {
    const options = await api.client.passkeyLoginOptions(username ? { username } : {});
    const response = await startAuthentication({ optionsJSON: /** @type {RequestOptionsJSON} */ (/** @type {unknown} */ (options)) });
    loggedIn(api, await api.client.passkeyLogin({ response }));
  } catch (error) {
    say('error', describePasskeyError(error));
    button.focus();
  }
}

/** @param {Passkey} passkey */
const dateOf = (passkey) => new Date(passkey.createdAt).toLocaleDateString();

/**
 * @param {import('./api.js').Api} api
 * @param {Passkey} passkey
 */
function passkeyItem(api, passkey) {
  const item = make('li');
  const about = make('div', 'about');
  about.append(
    make('span', 'name', passkey.name),
    make('span', 'muted', `Added ${dateOf(passkey)} · ${passkey.lastUsedAt ? `last used ${new Date(passkey.lastUsedAt).toLocaleString()}` : 'not used yet'}`),
  );
  const remove = /** @type {HTMLButtonElement} */ (make('button', 'secondary', 'Remove'));
  remove.type = 'button';
  remove.setAttribute('aria-label', `Remove passkey ${passkey.name}`);
  remove.addEventListener('click', () => void busy(remove, () => removePasskey(api, passkey)));
  item.append(about, remove);
  return item;
}

/** @param {import('./api.js').Api} api */
async function loadPasskeys(api) {
  try {
    const { passkeys } = await api.client.passkeys();
    element('passkey-list').replaceChildren(...passkeys.map((passkey) => passkeyItem(api, passkey)));
    element('passkeys-empty').hidden = passkeys.length > 0;
  } catch (error) {
    failed(api, error);
  }
}

/**
 * A refusal while logged in; an ended session asks to log in again.
 * @param {import('./api.js').Api} api
 * @param {unknown} error
 */
function failed(api, error) {
  if (error instanceof GatehouseError && error.status === 401) {
    const username = byId('who-username', HTMLElement).textContent?.replace(/^@/, '') ?? '';
    return sessionHasEnded(api, username, 'to manage your passkeys');
  }
  say('error', describePasskeyError(error));
}

/** @param {import('./api.js').Api} api */
async function addPasskey(api) {
  const passkeyForm = form();
  clearFormErrors(passkeyForm);
  const name = nameInput().value.trim();
  try {
    const options = await api.client.passkeyRegistrationOptions();
    const response = await startRegistration({ optionsJSON: /** @type {CreationOptionsJSON} */ (/** @type {unknown} */ (options)) });
    const added = await api.client.registerPasskey({ response, ...(name ? { name } : {}) });
    passkeyForm.reset();
    say('notice', `Passkey “${added.name}” added. Next time, sign in with it.`);
  } catch (error) {
    if (error instanceof GatehouseError && error.field) return showError(passkeyForm, error);
    failed(api, error);
  }
  await loadPasskeys(api);
}

/**
 * @param {import('./api.js').Api} api
 * @param {Passkey} passkey
 */
async function removePasskey(api, passkey) {
  try {
    await api.client.removePasskey(passkey.id);
    say('notice', `Passkey “${passkey.name}” removed: it can no longer sign in.`);
  } catch (error) {
    failed(api, error);
  }
  await loadPasskeys(api);
}

/** WebAuthn never runs on an IP address (an RP ID is a domain), so there the page offers no passkeys. */
const onIpAddress = () => /^\d+\.\d+\.\d+\.\d+$/.test(location.hostname) || location.hostname.startsWith('[');

/** @param {import('./api.js').Api} api */
export function passkeysView(api) {
  const supported = browserSupportsWebAuthn() && !onIpAddress();
  const signInButton = byId('passkey-login', HTMLButtonElement);
  element('passkey-login-row').hidden = !supported;
  signInButton.addEventListener('click', () => void busy(signInButton, () => signIn(api, signInButton)));
  watchFormErrors(form());
  onSubmit(form(), () => addPasskey(api));
  return {
    /** @param {import('./session.js').User | null} user */
    render(user) {
      element('passkeys').hidden = !user || !supported;
      if (user && supported) void loadPasskeys(api);
    },
  };
}
