// @ts-check
// Two-step verification, for the person logged in: whether it is on and how many recovery codes
// are left; turning it on (current password → QR code and key → a code from the app → the
// recovery codes), new recovery codes, and turning it off. Each change asks for the password.

import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { sessionHasEnded } from './account-view.js';
import { copyText } from './clipboard.js';
import { byId, element, onSubmit } from './dom.js';
import { clearFormErrors, describe, requireFilled, say, sayAtField, showError, totpCodeProblem, watchFormErrors } from './feedback.js';
import { qrCode } from './qr-code.js';
import { forgetRecoveryCodes, recoveryCodesView, showRecoveryCodes } from './recovery-codes-view.js';
import { loggedInProfile } from './session.js';

/** @typedef {import('../src/client/gatehouse-client.ts').MfaStatus} MfaStatus */
/** @typedef {'on' | 'renew' | 'off'} Intent */

/** What each change says before it asks for the password, and its button. */
const INTENTS = {
  on: { why: 'To turn on two-step verification, first enter your current password.', button: 'Continue' },
  renew: { why: 'New recovery codes replace the ones you have, which then stop working. Enter your current password.', button: 'Make new codes' },
  off: {
    why: 'With two-step verification off, your password alone logs you in again, and your recovery codes stop working. Enter your current password.',
    button: 'Turn off',
  },
};
const PANES = ['two-step-summary', 'two-step-password-form', 'two-step-setup', 'two-step-codes'];

const passwordForm = () => byId('two-step-password-form', HTMLFormElement);
const confirmForm = () => byId('two-step-confirm-form', HTMLFormElement);
const button = (/** @type {string} */ id) => byId(id, HTMLButtonElement);

/** @type {{ username: string, status: MfaStatus | null, intent: Intent, secret: string }} */
const state = { username: '', status: null, intent: 'on', secret: '' };

/** @param {string} pane */
function showPane(pane) {
  for (const each of PANES) element(each).hidden = each !== pane;
}

function renderSummary() {
  const { status } = state;
  const left = status?.recoveryCodesLeft ?? 0;
  element('two-step-state').textContent = !status
    ? 'Checking…'
    : status.totp
      ? `On: after your password, logging in asks for a code from your authenticator app. ${left} recovery ${left === 1 ? 'code' : 'codes'} left.` +
        (left <= 3 ? ' Make new ones before they run out.' : '')
      : 'Off: your password alone logs you in. Turn it on to also need a 6-digit code from an authenticator app on your phone.';
  button('two-step-on').hidden = !status || status.totp;
  button('two-step-renew').hidden = !status?.totp;
  button('two-step-off').hidden = !status?.totp;
}

/** Back to the summary; the secret, the QR code and the password typed are forgotten. */
function showSummary() {
  state.secret = '';
  element('two-step-qr').replaceChildren();
  element('two-step-secret').textContent = '';
  forgetRecoveryCodes();
  for (const form of [passwordForm(), confirmForm()]) {
    form.reset();
    clearFormErrors(form);
  }
  renderSummary();
  showPane('two-step-summary');
}

/** @param {import('./api.js').Api} api */
async function loadStatus(api) {
  const username = state.username;
  try {
    const { mfa } = await loggedInProfile(api);
    if (state.username === username) state.status = mfa;
  } catch (error) {
    if (error instanceof GatehouseError && error.status === 401) return sessionEnded(api);
    element('two-step-state').textContent = `Its state could not be loaded. ${describe(error)}`;
    return;
  }
  renderSummary();
}

/** @param {import('./api.js').Api} api */
function sessionEnded(api) {
  sessionHasEnded(api, state.username, 'to change two-step verification');
}

/**
 * A refusal: the session ended, the state changed elsewhere (another tab), or an error for the form.
 * @param {import('./api.js').Api} api
 * @param {HTMLFormElement} form
 * @param {unknown} error
 */
async function refused(api, form, error) {
  if (!(error instanceof GatehouseError)) return showError(form, error);
  if (error.status === 401) return sessionEnded(api);
  if (error.status !== 409) return showError(form, error);
  showSummary();
  say('error', `${describe(error)} Nothing was changed here.`);
  await loadStatus(api);
}

/** @param {Intent} intent */
function askPassword(intent) {
  state.intent = intent;
  // For password managers: whose password this is.
  byId('two-step-username', HTMLInputElement).value = state.username;
  element('two-step-password-why').textContent = INTENTS[intent].why;
  button('two-step-password-submit').textContent = INTENTS[intent].button;
  say('none');
  showPane('two-step-password-form');
  byId('two-step-password', HTMLInputElement).focus();
}

/** @param {import('../src/client/gatehouse-client.ts').TotpSetup} setup */
function showSetup(setup) {
  state.secret = setup.secret;
  element('two-step-qr').replaceChildren(qrCode(setup.otpauthUrl, 'QR code that adds this account to an authenticator app'));
  // In groups of four, as apps and people read keys.
  element('two-step-secret').textContent = setup.secret.replace(/(.{4})(?=.)/g, '$1 ');
  showPane('two-step-setup');
  button('two-step-copy-secret').focus();
}

/**
 * @param {readonly string[]} codes
 * @param {string} savedNotice what the person is told once they have saved the codes
 */
function showCodes(codes, savedNotice) {
  state.status = { totp: true, recoveryCodesLeft: codes.length };
  showPane('two-step-codes');
  showRecoveryCodes(codes, state.username, () => {
    showSummary();
    say('notice', savedNotice);
  });
}

/** @param {import('./api.js').Api} api */
async function submitPassword(api) {
  const form = passwordForm();
  clearFormErrors(form);
  if (!requireFilled(form, { currentPassword: 'Enter your current password.' })) return;
  const currentPassword = byId('two-step-password', HTMLInputElement).value;
  try {
    if (state.intent === 'on') {
      const setup = await api.client.setupTotp({ currentPassword });
      form.reset();
      say('none');
      return showSetup(setup);
    }
    if (state.intent === 'renew') {
      const { recoveryCodes } = await api.client.newRecoveryCodes({ currentPassword });
      form.reset();
      say('notice', 'New recovery codes are made; the old ones no longer work.');
      return showCodes(recoveryCodes, 'Your new recovery codes are in use.');
    }
    await api.client.disableTotp({ currentPassword });
    state.status = { totp: false, recoveryCodesLeft: 0 };
    showSummary();
    say('notice', 'Two-step verification is off: your password alone logs you in.');
  } catch (error) {
    await refused(api, form, error);
  }
}

/** @param {import('./api.js').Api} api */
async function submitCode(api) {
  const form = confirmForm();
  const field = byId('two-step-code', HTMLInputElement);
  clearFormErrors(form);
  const code = field.value.replace(/\s+/g, '');
  const problem = totpCodeProblem(code);
  if (problem) return sayAtField(field, problem);
  try {
    const { recoveryCodes } = await api.client.confirmTotp({ code });
    say('notice', 'Two-step verification is on. Save your recovery codes now.');
    showCodes(recoveryCodes, 'Two-step verification is on: from now on, logging in asks for a code from your app.');
  } catch (error) {
    await refused(api, form, error);
  }
}

/** @param {import('./api.js').Api} api */
export function twoStepView(api) {
  recoveryCodesView();
  for (const form of [passwordForm(), confirmForm()]) watchFormErrors(form);
  onSubmit(passwordForm(), () => submitPassword(api));
  onSubmit(confirmForm(), () => submitCode(api));
  button('two-step-on').addEventListener('click', () => askPassword('on'));
  button('two-step-renew').addEventListener('click', () => askPassword('renew'));
  button('two-step-off').addEventListener('click', () => askPassword('off'));
  for (const cancel of ['two-step-password-cancel', 'two-step-setup-cancel'])
    button(cancel).addEventListener('click', () => {
      showSummary();
      say('none');
    });
  button('two-step-copy-secret').addEventListener('click', () => void copyText(state.secret, 'The key is copied.'));
  return {
    /** @param {import('./session.js').User | null} user */
    render(user) {
      element('two-step').hidden = !user;
      if (user?.username === state.username) return;
      state.username = user?.username ?? '';
      state.status = user?.mfa ?? null;
      showSummary();
      if (user && !user.mfa) void loadStatus(api);
    },
  };
}
