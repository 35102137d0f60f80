// @ts-check
// What the person is told: the banner at the top (a notice, or an error with role=alert), and an
// error next to the field it is about (aria-invalid, and aria-describedby pointing at it).

import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { element, make } from './dom.js';

/** @typedef {HTMLInputElement | HTMLTextAreaElement} Field */

/** The text as a sentence: a capital first, a full stop last. */
export const sentence = (/** @type {string} */ text) => {
  const full = text.endsWith('.') ? text : `${text}.`;
  return full.charAt(0).toUpperCase() + full.slice(1);
};

/**
 * Words a person can act on, for every answer the API can give.
 * @param {unknown} error
 */
export function describe(error) {
  if (!(error instanceof GatehouseError)) return 'Something went wrong. Please try again.';
  if (error.code === 'network') return error.message;
  if (error.status === 429) return `Too many attempts. Please wait ${error.retryAfter ?? 'a few'} seconds and try again.`;
  if (error.status >= 500) return 'The service is not available right now. Please try again in a moment.';
  if (error.status === 413) return 'That is too long to send.';
  return sentence(error.message);
}

/**
 * Shows one banner and hides the other; `none` hides both.
 * @param {'notice' | 'error' | 'none'} kind
 * @param {string} [text]
 */
export function say(kind, text = '') {
  const notice = element('notice');
  const error = element('error');
  notice.hidden = kind !== 'notice';
  error.hidden = kind !== 'error';
  if (kind !== 'none') (kind === 'error' ? error : notice).textContent = text;
}

/** @param {Field} field */
const errorId = (field) => `${field.id}-error`;

/**
 * Puts a message under the field and ties it to the field for assistive technology.
 * @param {Field} field
 * @param {string} message
 */
export function showFieldError(field, message) {
  let note = document.getElementById(errorId(field));
  if (!note) {
    note = make('p', 'field-error');
    note.id = errorId(field);
    field.closest('.field')?.append(note);
  }
  note.textContent = message;
  note.hidden = false;
  field.setAttribute('aria-invalid', 'true');
  const described = (field.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== note.id);
  field.setAttribute('aria-describedby', [note.id, ...described].join(' '));
}

/** @param {Field} field */
function clearFieldError(field) {
  const note = document.getElementById(errorId(field));
  if (note) note.hidden = true;
  field.removeAttribute('aria-invalid');
  const described = (field.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== errorId(field));
  if (described.length) field.setAttribute('aria-describedby', described.join(' '));
  else field.removeAttribute('aria-describedby');
}

/** @param {HTMLFormElement} form */
const fieldsOf = (form) =>
  [...form.querySelectorAll('input, textarea')].filter((node) => node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement);

/**
 * Clears the form's field errors (before it is sent again).
 * @param {HTMLFormElement} form
 */
export function clearFormErrors(form) {
  for (const field of fieldsOf(form)) clearFieldError(field);
}

/**
 * Clears a field's error as soon as the field is edited.
 * @param {HTMLFormElement} form
 */
export function watchFormErrors(form) {
  for (const field of fieldsOf(form)) field.addEventListener('input', () => clearFieldError(field));
}

/**
 * The form's field that an API error is about: the one whose `name` is the error's `field`.
 * @param {HTMLFormElement} form
 * @param {string | undefined} name
 * @returns {Field | undefined}
 */
function fieldNamed(form, name) {
  const field = name ? form.elements.namedItem(name) : null;
  return field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement ? field : undefined;
}

/**
 * A refusal, in the banner and next to its field when the form has it; focus goes to that field.
 * @param {HTMLFormElement} form
 * @param {unknown} error
 * @param {string} [text] the words to use instead of the API's own
 * @param {string} [fieldName] the field it is about, when the API does not name one
 */
export function showError(form, error, text = describe(error), fieldName = error instanceof GatehouseError ? error.field : undefined) {
  const field = fieldNamed(form, fieldName);
  if (field) sayAtField(field, text);
  else say('error', text);
}

/**
 * A problem with one field: in the banner and next to the field, and focus goes to it.
 * @param {HTMLInputElement | HTMLTextAreaElement} field
 * @param {string} text
 */
export function sayAtField(field, text) {
  say('error', text);
  showFieldError(field, text);
  field.focus();
}

/**
 * What is wrong with a typed authenticator code before it is sent: '' when it has the form of one.
 * @param {string} typed without its spaces
 */
export const totpCodeProblem = (typed) => (/^\d{6}$/.test(typed) ? '' : 'Enter the 6 digits your app shows.');

/**
 * Checks that the required fields are filled in: each empty one gets its message; false if any was.
 * @param {HTMLFormElement} form
 * @param {Record<string, string>} required message per field name
 */
export function requireFilled(form, required) {
  /** @type {Field[]} */
  const empty = [];
  for (const [name, message] of Object.entries(required)) {
    const field = fieldNamed(form, name);
    if (field && !field.value.trim()) {
      showFieldError(field, message);
      empty.push(field);
    }
  }
  if (!empty.length) return true;
  say('error', empty.map((field) => document.getElementById(errorId(field))?.textContent).join(' '));
  empty[0]?.focus();
  return false;
}
