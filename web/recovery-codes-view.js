// @ts-check
// Recovery codes, shown once after they are made: the list, a Download of them as a text file,
// Copy, and "I have saved them", which is the only way back to the rest of the section.

import { copyText } from './clipboard.js';
import { byId, element, make } from './dom.js';

/** @type {{ codes: readonly string[], username: string, saved: () => void } | null} */
let shown = null;

/** The text file: what the codes are for, then one code a line. */
function codesFile(/** @type {readonly string[]} */ codes, /** @type {string} */ username) {
  return [
    `Recovery codes for ${username} (${location.host})`,
    `Made ${new Date().toISOString().slice(0, 10)}. Each logs you in once in place of a code from your authenticator app.`,
    'Making new codes ends these. Keep this file somewhere safe.',
    '',
    ...codes,
    '',
  ].join('\n');
}

/** Saves the codes as a text file: a Blob behind a same-origin object URL, which a download link may name. */
function download() {
  if (!shown) return;
  const url = URL.createObjectURL(new Blob([codesFile(shown.codes, shown.username)], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `recovery-codes-${shown.username}.txt`;
  link.click();
  // The download has its own copy once it starts; the URL need not outlive that.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Clears the codes from the page (and from this module). */
export function forgetRecoveryCodes() {
  shown = null;
  element('two-step-code-list').replaceChildren();
}

/**
 * Shows a new set of codes; `saved` runs when the person says they have kept them.
 * @param {readonly string[]} codes
 * @param {string} username
 * @param {() => void} saved
 */
export function showRecoveryCodes(codes, username, saved) {
  shown = { codes, username, saved };
  element('two-step-code-list').replaceChildren(...codes.map((code) => make('li', undefined, code)));
  element('two-step-codes-title').focus();
}

export function recoveryCodesView() {
  byId('two-step-download', HTMLButtonElement).addEventListener('click', download);
  byId('two-step-copy-codes', HTMLButtonElement).addEventListener('click', () => {
    if (shown) void copyText(shown.codes.join('\n'), `The ${shown.codes.length} recovery codes are copied.`);
  });
  byId('two-step-saved', HTMLButtonElement).addEventListener('click', () => {
    const saved = shown?.saved;
    forgetRecoveryCodes();
    saved?.();
  });
}
