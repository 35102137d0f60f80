// @ts-check
// The message board: sign up, log in, log out, read and post. No framework; the build bundles these
// modules with the typed client (src/client) into one file. Each view owns a part of the page and
// renders it from who is logged in (session.js); api.js knows where the API is.

import { accountView } from './account-view.js';
import { connect } from './api.js';
import { boardView, loadMessages } from './board-view.js';
import { describe, say } from './feedback.js';
import { headerView } from './header-view.js';
import { passkeysView } from './passkeys-view.js';
import { onUserChange, setUser, whoIsLoggedIn } from './session.js';

async function start() {
  const api = await connect();
  const views = [headerView(api), accountView(api), passkeysView(api), boardView(api)];
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
  document.body.dataset.ready = 'true';
}

void start();
