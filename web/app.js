// @ts-check
// The message board: sign up, log in (with a second step when it is on), log out, read and post,
// and two-step verification for the person logged in. No framework; the build bundles these
// modules with the typed client (src/client) into one file. Each view owns a part of the page and
// renders it from who is logged in (session.js); api.js knows where the API is.

import { accountView } from './account-view.js';
import { connect } from './api.js';
import { boardView, loadMessages } from './board-view.js';
import { confirmAddress, emailView } from './email-view.js';
import { describe, say } from './feedback.js';
import { headerView } from './header-view.js';
import { takeMailLink } from './mail-link.js';
import { passkeysView } from './passkeys-view.js';
import { passwordResetView } from './password-reset-view.js';
import { onUserChange, setUser, whoIsLoggedIn } from './session.js';
import { twoStepView } from './two-step-view.js';

async function start() {
  // Before anything else: a link's token leaves the address bar at once.
  const link = takeMailLink();
  const api = await connect();
  const reset = passwordResetView(api);
  const views = [headerView(api), accountView(api), reset, emailView(api), passkeysView(api), twoStepView(api), boardView(api)];
  onUserChange((user) => {
    for (const view of views) view.render(user);
  });
  const [user] = await Promise.all([
    whoIsLoggedIn(api).catch((/** @type {unknown} */ error) => {
      say('error', describe(error));
      return null;
    }),
    loadMessages(api),
  ]);
  setUser(user);
  /** @param {import('./mail-link.js').MailLink | null} opened */
  const follow = async (opened) => {
    if (opened?.kind === 'verify') await confirmAddress(api, opened.token);
    if (opened?.kind === 'reset') reset.open(opened.token);
  };
  await follow(link);
  // A link pasted into this tab while the page is open changes only the fragment.
  window.addEventListener('hashchange', () => void follow(takeMailLink()));
  document.body.dataset.ready = 'true';
}

void start();
