// @ts-check
// The board: the latest messages for everyone, and the form to post one when logged in.

import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { sessionHasEnded } from './account-view.js';
import { byId, element, make, onSubmit } from './dom.js';
import { draftOf, dropDraft, keepDraft } from './draft.js';
import { clearFormErrors, describe, requireFilled, say, showError, watchFormErrors } from './feedback.js';
import { currentUser } from './session.js';

/** @typedef {import('../src/client/gatehouse-client.ts').MessageList['messages'][number]} Message */

const textArea = () => byId('message', HTMLTextAreaElement);
const postForm = () => byId('post-form', HTMLFormElement);

/** @param {Message} message */
function messageItem(message) {
  const item = make('li');
  const meta = make('div', 'meta');
  const time = document.createElement('time');
  time.dateTime = message.createdAt;
  time.textContent = new Date(message.createdAt).toLocaleString();
  meta.append(make('span', 'author', message.author), time);
  item.append(meta, make('p', 'text', message.text));
  return item;
}

/** @param {readonly Message[]} messages */
function renderMessages(messages) {
  element('messages').replaceChildren(...messages.map(messageItem));
  element('empty').hidden = messages.length > 0;
}

function countCharacters() {
  element('message-count').textContent = String([...textArea().value].length);
}

/** @param {string} text */
function setText(text) {
  textArea().value = text;
  countCharacters();
}

/** @param {import('./api.js').Api} api */
export async function loadMessages(api) {
  try {
    renderMessages((await api.client.messages()).messages);
  } catch (error) {
    say('error', `The messages could not be loaded. ${describe(error)}`);
  }
}

/**
 * The session ended elsewhere (another tab, another device, an expiry): the person logs in again,
 * and the message they were writing waits for them.
 * @param {import('./api.js').Api} api
 * @param {string} username
 */
function sessionEnded(api, username) {
  keepDraft(username, textArea().value);
  sessionHasEnded(api, username, 'to post; your message is kept');
}

/** @param {import('./api.js').Api} api */
async function post(api) {
  const form = postForm();
  const user = currentUser();
  clearFormErrors(form);
  if (!user || !requireFilled(form, { text: 'Write a message first.' })) return;
  try {
    await api.client.postMessage({ text: textArea().value.trim() });
  } catch (error) {
    if (error instanceof GatehouseError && error.status === 401) return sessionEnded(api, user.username);
    return showError(form, error);
  }
  setText('');
  dropDraft();
  say('none');
  await loadMessages(api);
}

/** Logging out on purpose: the draft goes too, so the next person on this device does not see it. */
export function discardDraft() {
  dropDraft();
  setText('');
}

/** @param {import('./api.js').Api} api */
export function boardView(api) {
  watchFormErrors(postForm());
  onSubmit(postForm(), () => post(api));
  textArea().addEventListener('input', () => {
    countCharacters();
    const user = currentUser();
    if (user) keepDraft(user.username, textArea().value);
  });
  return {
    /** @param {import('./session.js').User | null} user */
    render(user) {
      element('compose').hidden = !user;
      // Logged in: this person's kept draft, if any (never another account's). Logged out: hidden, kept.
      if (user) setText(draftOf(user.username));
    },
  };
}
