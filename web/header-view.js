// @ts-check
// The header: who is logged in, and logging out.

import { GatehouseError } from '../src/client/gatehouse-client.ts';
import { showMode } from './account-view.js';
import { discardDraft } from './board-view.js';
import { busy, byId, element } from './dom.js';
import { describe, say } from './feedback.js';
import { setUser } from './session.js';

/** @param {import('./api.js').Api} api */
async function logOut(api) {
  try {
    await api.client.logout();
  } catch (error) {
    // Already ended elsewhere: the person is logged out either way.
    if (!(error instanceof GatehouseError && error.status === 401)) return say('error', describe(error));
  }
  api.token.clear();
  discardDraft();
  setUser(null);
  showMode('login');
  say('notice', 'You are logged out.');
}

/** @param {import('./api.js').Api} api */
export function headerView(api) {
  const button = byId('logout', HTMLButtonElement);
  button.addEventListener('click', () => void busy(button, () => logOut(api)));
  return {
    /** @param {import('./session.js').User | null} user */
    render(user) {
      element('who').hidden = !user;
      element('who-name').textContent = user?.name ?? '';
      element('who-username').textContent = user ? `@${user.username}` : '';
    },
  };
}
