// @ts-check
// Copy buttons: the text goes to the clipboard, and the person is told whether it did.

import { say } from './feedback.js';

/**
 * @param {string} text what to copy
 * @param {string} copied what to tell the person once it is copied
 */
export async function copyText(text, copied) {
  try {
    await navigator.clipboard.writeText(text);
    say('notice', copied);
  } catch {
    say('error', 'This browser did not allow copying. Select the text and copy it yourself.');
  }
}
