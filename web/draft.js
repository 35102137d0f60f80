// @ts-check
// A message being written survives its session ending (and a reload in this tab), so logging in
// again does not mean writing it again. It belongs to the person writing it: another account
// logging in on this tab does not get it, and logging out throws it away.

const KEY = 'gatehouse.draft';

/** @param {string} username @param {string} text */
export function keepDraft(username, text) {
  if (text.trim()) sessionStorage.setItem(KEY, JSON.stringify({ username, text }));
  else sessionStorage.removeItem(KEY);
}

/** @param {string} username @returns {string} the draft of this user, or '' */
export function draftOf(username) {
  try {
    /** @type {{ username?: unknown, text?: unknown }} */
    const draft = JSON.parse(sessionStorage.getItem(KEY) ?? '{}');
    return draft.username === username && typeof draft.text === 'string' ? draft.text : '';
  } catch {
    return '';
  }
}

export const dropDraft = () => sessionStorage.removeItem(KEY);
