// @ts-check
// The logged-in person's email address: whether it is confirmed, a new confirmation link, changing
// it (a link to the new address; it changes when that link is opened); and the page a
// confirmation link opens.

import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { sessionHasEnded } from './account-view.js';
import { busy, byId, element, make, onSubmit } from './dom.js';
import { clearFormErrors, describe, requireFilled, say, showError, watchFormErrors } from './feedback.js';
import { currentUser, loggedInProfile } from './session.js';

/** @typedef {import('../src/client/gatehouse-client.ts').Profile} Profile */

const form = () => byId('email-form', HTMLFormElement);
const button = (/** @type {string} */ id) => byId(id, HTMLButtonElement);
const input = (/** @type {string} */ id) => byId(id, HTMLInputElement);

/** @param {Pick<Profile, 'email' | 'emailVerified'> | null} profile */
function showState(profile) {
  const state = element('email-state');
  if (!profile?.email) {
    state.replaceChildren('No email address yet. Add one to be able to reset a forgotten password.');
    button('email-resend').hidden = true;
    button('email-change-open').textContent = 'Add email';
    return;
  }
  const label = make('span', `state ${profile.emailVerified ? 'ok' : 'pending'}`, profile.emailVerified ? 'Confirmed' : 'Not confirmed yet');
  label.id = 'email-verified';
  state.replaceChildren(make('span', 'address', profile.email), ' · ', label);
  button('email-resend').hidden = profile.emailVerified;
  button('email-change-open').textContent = 'Change email';
}

/** @param {boolean} open */
function showForm(open) {
  form().hidden = !open;
  element('email-actions').hidden = open;
  if (open) input('email-new').focus();
  else {
    form().reset();
    clearFormErrors(form());
  }
}

/**
 * A refusal because the session has ended: logged out here too.
 * @param {import('./api.js').Api} api
 * @param {unknown} error
 */
function sessionEnded(api, error) {
  if (!(error instanceof GatehouseError && error.status === 401)) return false;
  sessionHasEnded(api, currentUser()?.username ?? '', 'to manage your email address');
  return true;
}

/**
 * @param {import('./api.js').Api} api
 * @param {boolean} [fresh] ask again rather than share the answer other views had after the login
 */
async function refresh(api, fresh = false) {
  try {
    showState(await loggedInProfile(api, fresh));
  } catch (error) {
    if (!sessionEnded(api, error)) say('error', `Your email address could not be loaded. ${describe(error)}`);
  }
}

/** @param {import('./api.js').Api} api */
async function resend(api) {
  try {
    const sent = await api.client.resendVerification();
    say('notice', `We sent a new confirmation link to ${sent.email}. It works once, for a short time.`);
  } catch (error) {
    if (!sessionEnded(api, error)) say('error', describe(error));
  }
}

/** @param {import('./api.js').Api} api */
async function change(api) {
  const changing = form();
  clearFormErrors(changing);
  if (!requireFilled(changing, { email: 'Enter the new email address.', currentPassword: 'Enter your current password.' })) return;
  try {
    const sent = await api.client.changeEmail({ email: input('email-new').value.trim(), currentPassword: input('email-password').value });
    showForm(false);
    say('notice', `We sent a confirmation link to ${sent.email}. Your address changes when you open it; until then it stays as it is.`);
  } catch (error) {
    if (sessionEnded(api, error)) return;
    if (error instanceof GatehouseError && error.code === 'email_taken')
      return showError(changing, error, 'That email address belongs to another account.', 'email');
    showError(changing, error);
  }
}

/** @param {import('./api.js').Api} api */
export function emailView(api) {
  watchFormErrors(form());
  button('email-resend').addEventListener('click', () => void busy(button('email-resend'), () => resend(api)));
  button('email-change-open').addEventListener('click', () => showForm(true));
  button('email-change-cancel').addEventListener('click', () => showForm(false));
  onSubmit(form(), () => change(api));
  return {
    /** @param {import('./session.js').User | null} user */
    render(user) {
      element('email-card').hidden = !user;
      showForm(false);
      input('email-username').value = user?.username ?? '';
      // GET /session told the page the address already; after a login it is asked for.
      if (user?.emailVerified !== undefined) showState({ ...(user.email ? { email: user.email } : {}), emailVerified: user.emailVerified });
      else if (user) void refresh(api);
    },
  };
}

/**
 * The page was opened from a confirmation link: the address it names is confirmed.
 * @param {import('./api.js').Api} api
 * @param {string} token
 */
export async function confirmAddress(api, token) {
  try {
    const { email } = await api.client.verifyEmail(token);
    say('notice', `Your email address ${email} is confirmed.`);
    if (currentUser()) await refresh(api, true);
  } catch (error) {
    if (error instanceof GatehouseError && error.code === 'invalid_email_token') {
      return say('error', 'This confirmation link has expired or has already been used. Log in to ask for a new one.');
    }
    if (error instanceof GatehouseError && error.code === 'email_taken') {
      return say('error', 'That email address now belongs to another account, so your address was not changed.');
    }
    say('error', describe(error));
  }
}
