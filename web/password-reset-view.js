// @ts-check
// A forgotten password: the form that asks for a link ("Forgot password?"), and the form the link
// opens, which sets a new password and so logs the account out everywhere.

import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { askToLogInAgain, showMode } from './account-view.js';
import { byId, element, onSubmit } from './dom.js';
import { clearFormErrors, describe, requireFilled, say, sentence, showError, watchFormErrors } from './feedback.js';
import { usernameOf } from './mail-link.js';
import { setUser } from './session.js';

const input = (/** @type {string} */ id) => byId(id, HTMLInputElement);
const form = (/** @type {string} */ id) => byId(id, HTMLFormElement);

/**
 * Shows the "Forgot password?" card in place of the log-in card, or puts the log-in card back.
 * @param {boolean} open
 */
function showForgot(open) {
  element('forgot').hidden = !open;
  element('account').hidden = open;
  if (open) {
    form('forgot-form').hidden = false;
    element('forgot-sent').hidden = true;
    const typed = input('login-username').value.trim();
    if (typed && !input('forgot-name').value) input('forgot-name').value = typed;
    input('forgot-name').focus();
  } else {
    showMode('login');
  }
}

/** @param {import('./api.js').Api} api */
async function askForLink(api) {
  const forgot = form('forgot-form');
  clearFormErrors(forgot);
  if (!requireFilled(forgot, { username: 'Enter your username or email address.' })) return;
  const name = input('forgot-name').value.trim();
  try {
    const answer = await api.client.forgotPassword(name.includes('@') ? { email: name } : { username: name });
    element('forgot-sent-text').textContent = `${answer.message}. It works once, for a short time; check your spam folder too.`;
  } catch (error) {
    // Whichever field the API names (username or email), it is about this one input.
    return showError(forgot, error, describe(error), error instanceof GatehouseError && error.field ? 'username' : undefined);
  }
  forgot.hidden = true;
  forgot.reset();
  element('forgot-sent').hidden = false;
  say('none');
}

/**
 * @param {import('./api.js').Api} api
 * @param {string} token
 */
async function setNewPassword(api, token) {
  const reset = form('reset-form');
  clearFormErrors(reset);
  if (!requireFilled(reset, { newPassword: 'Choose a new password.' })) return;
  let ended = 0;
  try {
    ({ ended } = await api.client.resetPassword({ token, newPassword: input('reset-password').value }));
  } catch (error) {
    if (error instanceof GatehouseError && error.code === 'invalid_reset_token') {
      element('reset').hidden = true;
      showForgot(true);
      return say('error', 'This reset link has expired or has already been used. Ask for a new one here.');
    }
    if (error instanceof GatehouseError && error.code === 'weak_password') {
      return showError(reset, error, sentence(error.message.replace(/^newPassword\b/, 'The new password')));
    }
    return showError(reset, error);
  }
  reset.reset();
  element('reset').hidden = true;
  // Every session of the account has ended, this page's too if it was the same account.
  api.token.clear();
  setUser(null);
  askToLogInAgain(usernameOf(token));
  const sessions = ended === 1 ? '1 session' : `${ended} sessions`;
  say('notice', `Your password has been changed and you have been logged out everywhere (${sessions} ended). Log in with your new password.`);
}

/** @param {import('./api.js').Api} api */
export function passwordResetView(api) {
  /** The token of the reset link this page was opened with. */
  let token = '';
  watchFormErrors(form('forgot-form'));
  watchFormErrors(form('reset-form'));
  byId('forgot-open', HTMLButtonElement).addEventListener('click', () => showForgot(true));
  for (const id of ['forgot-back', 'forgot-done']) byId(id, HTMLButtonElement).addEventListener('click', () => showForgot(false));
  onSubmit(form('forgot-form'), () => askForLink(api));
  onSubmit(form('reset-form'), () => setNewPassword(api, token));
  return {
    /** @param {import('./session.js').User | null} user */
    render(user) {
      if (user) element('forgot').hidden = true;
    },
    /**
     * The page was opened from a reset link: its form, whoever is logged in here.
     * @param {string} linkToken
     */
    open(linkToken) {
      token = linkToken;
      input('reset-username').value = usernameOf(linkToken);
      element('reset').hidden = false;
      // One thing to do on this page: the log-in card comes back once the password is set.
      element('account').hidden = true;
      element('forgot').hidden = true;
      input('reset-password').focus();
    },
  };
}
