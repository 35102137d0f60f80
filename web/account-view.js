// @ts-check
// Logging in and signing up: two modes behind a tab-like switch, each its own form, so Enter in a
// field always does what that form's button says. New modes (a reset form) add a tab or a panel the
// same way. A right password for an account with two-step verification on leads to its second
// step (second-step-view.js) in place of the tabs.

import { GatehouseError, needsSecondFactor } from '../src/client/gatehouse-client.ts';
import { byId, element, onSubmit } from './dom.js';
import { clearFormErrors, describe, requireFilled, say, showError, watchFormErrors } from './feedback.js';
import { endSecondStep, secondStepView, startSecondStep } from './second-step-view.js';
import { setUser } from './session.js';

/** @typedef {'login' | 'signup'} Mode */

const MODES = /** @type {const} */ (['login', 'signup']);
const tab = (/** @type {Mode} */ mode) => byId(`tab-${mode}`, HTMLButtonElement);
const panel = (/** @type {Mode} */ mode) => element(`${mode}-panel`);
const form = (/** @type {Mode} */ mode) => byId(`${mode}-form`, HTMLFormElement);
const input = (/** @type {string} */ id) => byId(id, HTMLInputElement);

/**
 * Shows one mode, hides the other; the username typed so far carries over.
 * @param {Mode} mode
 * @param {{ focus?: boolean }} [options]
 */
export function showMode(mode, { focus = false } = {}) {
  endSecondStep();
  element('account-tabs').hidden = false;
  const other = mode === 'login' ? 'signup' : 'login';
  const typed = input(`${other}-username`).value;
  if (typed && !input(`${mode}-username`).value) input(`${mode}-username`).value = typed;
  for (const each of MODES) {
    const selected = each === mode;
    tab(each).setAttribute('aria-selected', String(selected));
    tab(each).tabIndex = selected ? 0 : -1;
    panel(each).hidden = !selected;
  }
  if (focus) tab(mode).focus();
}

/** The switch works like tabs: a click, or the arrow, Home and End keys. */
function wireTabs() {
  for (const mode of MODES) {
    tab(mode).addEventListener('click', () => showMode(mode));
    tab(mode).addEventListener('keydown', (event) => {
      const next = { ArrowRight: 1, ArrowLeft: -1, Home: -MODES.indexOf(mode), End: MODES.length - 1 - MODES.indexOf(mode) }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      showMode(MODES[(MODES.indexOf(mode) + next + MODES.length) % MODES.length] ?? mode, { focus: true });
    });
  }
}

/**
 * @param {import('./api.js').Api} api
 * @param {string} username
 * @param {string} password
 * @param {string} [more] a sentence to add to the welcome
 */
async function logIn(api, username, password, more) {
  const answer = await api.client.login({ username, password });
  if (needsSecondFactor(answer)) return askSecondFactor(api, answer, username);
  loggedIn(api, answer, more);
}

/**
 * A completed login — by password, second step or passkey: the token kept, the forms cleared, the welcome.
 * @param {import('./api.js').Api} api
 * @param {import('../src/client/gatehouse-client.ts').LoggedIn} answer
 * @param {string} [more] a sentence to add to the welcome
 */
export function loggedIn(api, answer, more) {
  api.token.set(answer.response.token);
  for (const mode of MODES) form(mode).reset();
  setUser({ username: answer.response.username, name: answer.response.name });
  say('notice', more ? `Welcome, ${answer.response.name}. ${more}` : `Welcome, ${answer.response.name}.`);
}

/**
 * The password was right and a code is needed: the second step takes the place of the tabs; the
 * password typed is not kept. Leaving it comes back here with the username filled in.
 * @param {import('./api.js').Api} api
 * @param {import('../src/client/gatehouse-client.ts').SecondFactorRequired} challenge
 * @param {string} username
 */
function askSecondFactor(api, challenge, username) {
  for (const mode of MODES) {
    form(mode).reset();
    panel(mode).hidden = true;
  }
  element('account-tabs').hidden = true;
  startSecondStep(challenge, username, {
    loggedIn: (answer) => loggedIn(api, answer),
    back: (message) => {
      askToLogInAgain(username);
      say(message ? 'error' : 'none', message);
    },
  });
}

/** @param {import('./api.js').Api} api */
async function submitLogin(api) {
  const login = form('login');
  clearFormErrors(login);
  if (!requireFilled(login, { username: 'Enter your username.', password: 'Enter your password.' })) return;
  try {
    await logIn(api, input('login-username').value.trim(), input('login-password').value);
  } catch (error) {
    showError(login, error);
  }
}

/** @param {import('./api.js').Api} api */
async function submitSignup(api) {
  const signup = form('signup');
  clearFormErrors(signup);
  if (!requireFilled(signup, { name: 'Enter your name.', username: 'Choose a username.', password: 'Choose a password.' })) return;
  const username = input('signup-username').value.trim();
  const password = input('signup-password').value;
  const email = input('signup-email').value.trim();
  try {
    await api.client.register({ name: input('signup-name').value.trim(), username, password, ...(email ? { email } : {}) });
  } catch (error) {
    if (error instanceof GatehouseError && error.code === 'user_exists') {
      const taken = email ? 'That username or email address is taken. Choose another, or log in.' : 'That username is taken. Choose another, or log in.';
      return showError(signup, error, taken, 'username');
    }
    return showError(signup, error);
  }
  try {
    await logIn(api, username, password, email ? `We sent a link to ${email} to confirm it.` : undefined);
  } catch (error) {
    // The account exists now; only the login failed (a limit, an outage): log in is the way on.
    showMode('login');
    showError(form('login'), error, `Your account is ready, but logging in failed: ${describe(error)}`);
  }
}

/** @param {import('./api.js').Api} api */
export function accountView(api) {
  wireTabs();
  for (const mode of MODES) watchFormErrors(form(mode));
  onSubmit(form('login'), () => submitLogin(api));
  onSubmit(form('signup'), () => submitSignup(api));
  secondStepView(api);
  return {
    /** @param {import('./session.js').User | null} user */
    render(user) {
      element('account').hidden = Boolean(user);
    },
  };
}

/**
 * After a session ended: the log-in form, with the username filled in and the password to type.
 * @param {string} username
 */
export function askToLogInAgain(username) {
  showMode('login');
  input('login-username').value = username;
  input('login-password').focus();
}

/**
 * A refusal because the session ended elsewhere (another tab, another device, an expiry): logged
 * out here too, the log-in form waiting with the name, and `then` says what logging in again is for.
 * @param {import('./api.js').Api} api
 * @param {string} username
 * @param {string} then
 */
export function sessionHasEnded(api, username, then) {
  api.token.clear();
  setUser(null);
  askToLogInAgain(username);
  say('error', `Your session has ended (you were logged out). Log in again ${then}.`);
}
