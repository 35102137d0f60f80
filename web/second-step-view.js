// @ts-check
// The second step of a login, for an account with two-step verification on: a code from the
// authenticator app, or one of the saved recovery codes. The step's token lives 5 minutes and
// takes 5 wrong codes; after either, the person is told and goes back to the password.

import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { byId, element, onSubmit } from './dom.js';
import { clearFormErrors, describe, say, sayAtField, showError, showFieldError, totpCodeProblem, watchFormErrors } from './feedback.js';

/** @typedef {import('../src/client/gatehouse-client.ts').SecondFactorRequired} Challenge */
/** @typedef {import('../src/client/gatehouse-client.ts').LoggedIn} LoggedIn */
/**
 * @typedef {object} SecondStepDone
 * @property {(answer: LoggedIn) => void} loggedIn the second step succeeded
 * @property {(message: string) => void} back the step ended (expired, used up, or left): back to the password
 */

/** Wrong codes one step takes, the server's own limit. */
const WRONG_CODES_ALLOWED = 5;

const codeForm = () => byId('mfa-code-form', HTMLFormElement);
const recoveryForm = () => byId('mfa-recovery-form', HTMLFormElement);
const codeInput = () => byId('mfa-code', HTMLInputElement);
const recoveryInput = () => byId('mfa-recovery', HTMLInputElement);
const switchButton = () => byId('mfa-switch', HTMLButtonElement);

/** @type {{ challenge: Challenge, wrong: number, timer: ReturnType<typeof setTimeout>, done: SecondStepDone } | null} */
let step = null;

/** Hides the step and forgets its token; does nothing when no step is open. */
export function endSecondStep() {
  if (step) clearTimeout(step.timer);
  step = null;
  element('mfa-panel').hidden = true;
  for (const form of [codeForm(), recoveryForm()]) {
    form.reset();
    clearFormErrors(form);
  }
}

/** @param {string} message */
function giveUp(message) {
  const done = step?.done;
  endSecondStep();
  done?.back(message);
}

/** @param {boolean} recovery whether to ask for a recovery code rather than the app's code */
function showInput(recovery) {
  codeForm().hidden = recovery;
  recoveryForm().hidden = !recovery;
  switchButton().textContent = recovery ? 'Use the code from your app' : 'Use a recovery code';
  (recovery ? recoveryInput() : codeInput()).focus();
}

/**
 * Opens the second step after a right password.
 * @param {Challenge} challenge
 * @param {string} username
 * @param {SecondStepDone} done
 */
export function startSecondStep(challenge, username, done) {
  endSecondStep();
  const minutes = Math.max(1, Math.round(challenge.expiresIn / 60));
  const timer = setTimeout(
    () => giveUp(`The ${minutes} minutes for entering a code have passed, so this login was stopped. Log in again with your password.`),
    challenge.expiresIn * 1000,
  );
  step = { challenge, wrong: 0, timer, done };
  element('mfa-account').textContent = username;
  element('mfa-panel').hidden = false;
  say('none');
  showInput(false);
}

/**
 * A refusal of the code: in words, under the field; the 5th wrong one ends the step.
 * @param {HTMLFormElement} form
 * @param {HTMLInputElement} field
 * @param {unknown} error
 * @param {boolean} recovery
 */
function refused(form, field, error, recovery) {
  if (!step) return;
  if (error instanceof GatehouseError && error.code === 'invalid_mfa_token') {
    return giveUp('This login step has expired or was already used. Log in again with your password.');
  }
  if (!(error instanceof GatehouseError && error.code === 'invalid_mfa_code')) return showError(form, error);
  step.wrong += 1;
  const left = WRONG_CODES_ALLOWED - step.wrong;
  if (left <= 0) return giveUp(`That was the ${WRONG_CODES_ALLOWED}th wrong code, so this login was stopped. Log in again with your password.`);
  const what = recovery
    ? 'That recovery code is not right, or it was already used.'
    : 'That code is not right. Check the app shows it for this account, and type the one it shows now.';
  const text = `${what} ${left} ${left === 1 ? 'try' : 'tries'} left.`;
  say('error', text);
  showFieldError(field, text);
  field.select();
}

/**
 * @param {import('./api.js').Api} api
 * @param {boolean} recovery
 */
async function submit(api, recovery) {
  const form = recovery ? recoveryForm() : codeForm();
  const field = recovery ? recoveryInput() : codeInput();
  clearFormErrors(form);
  const typed = field.value.replace(/\s+/g, '');
  // Checked here first: a code that cannot be right is not sent, and takes none of the 5 tries.
  const problem = recovery ? (typed ? '' : 'Enter one of your recovery codes.') : totpCodeProblem(typed);
  if (problem) return sayAtField(field, problem);
  const current = step;
  if (!current) return;
  try {
    const { mfaToken } = current.challenge;
    const answer = await api.client.loginSecondFactor(recovery ? { mfaToken, recoveryCode: typed } : { mfaToken, code: typed });
    endSecondStep();
    current.done.loggedIn(answer);
  } catch (error) {
    if (step === current) refused(form, field, error, recovery);
    else if (!(error instanceof GatehouseError)) say('error', describe(error));
  }
}

/** @param {import('./api.js').Api} api */
export function secondStepView(api) {
  for (const form of [codeForm(), recoveryForm()]) watchFormErrors(form);
  onSubmit(codeForm(), () => submit(api, false));
  onSubmit(recoveryForm(), () => submit(api, true));
  switchButton().addEventListener('click', () => {
    clearFormErrors(codeForm());
    clearFormErrors(recoveryForm());
    say('none');
    showInput(!codeForm().hidden);
  });
  byId('mfa-back', HTMLButtonElement).addEventListener('click', () => giveUp(''));
}
