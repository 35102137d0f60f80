// The message board: sign up, log in, log out, read and post. No framework; the typed client
// (src/client) is bundled in by the build.
// Served by the API itself (same origin: the HttpOnly session cookie does the work, and the token
// never touches script-readable storage) or from another origin such as S3/CloudFront (config.json
// names the API; the token is sent as a bearer token and kept in this origin's localStorage).

import { createClient, GatehouseError } from '../src/client/gatehouse-client.ts';

const TOKEN_KEY = 'gatehouse.token';
const $ = (id) => document.getElementById(id);
const state = { apiUrl: '', sameOrigin: true, user: null, client: null };

const sentence = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : text);

/** Words a person can act on, for every answer the API can give. */
function describe(error) {
  if (!(error instanceof GatehouseError)) return 'Something went wrong. Please try again.';
  if (error.code === 'network') return error.message;
  if (error.status === 429) return `Too many attempts. Please wait ${error.retryAfter ?? 'a few'} seconds and try again.`;
  if (error.status >= 500) return 'The service is not available right now. Please try again in a moment.';
  if (error.status === 413) return 'That is too long to send.';
  return sentence(error.message.endsWith('.') ? error.message : `${error.message}.`);
}

async function loadConfig() {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (res.ok) {
      const config = await res.json();
      if (typeof config.apiUrl === 'string' && config.apiUrl) state.apiUrl = config.apiUrl.replace(/\/+$/, '');
    }
  } catch {
    // No config: the API is this origin.
  }
  state.sameOrigin = !state.apiUrl || new URL(state.apiUrl, location.href).origin === location.origin;
  state.client = createClient({
    baseUrl: state.apiUrl,
    token: storedToken,
    credentials: state.sameOrigin ? 'same-origin' : 'omit',
  });
}

const storedToken = () => (state.sameOrigin ? null : localStorage.getItem(TOKEN_KEY));

function show(kind, text) {
  const notice = $('notice');
  const error = $('error');
  notice.hidden = kind !== 'notice';
  error.hidden = kind !== 'error';
  (kind === 'error' ? error : notice).textContent = text;
}
const clearMessages = () => show('none', '');

function render() {
  const user = state.user;
  $('who').hidden = !user;
  $('account').hidden = Boolean(user);
  $('compose').hidden = !user;
  if (user) {
    $('who-name').textContent = user.name;
    $('who-username').textContent = `@${user.username}`;
  }
}

function renderMessages(messages) {
  const list = $('messages');
  list.replaceChildren(
    ...messages.map((message) => {
      const item = document.createElement('li');
      const meta = document.createElement('div');
      meta.className = 'meta';
      const author = document.createElement('span');
      author.className = 'author';
      author.textContent = message.author;
      const time = document.createElement('time');
      time.dateTime = message.createdAt;
      time.textContent = new Date(message.createdAt).toLocaleString();
      meta.append(author, time);
      const text = document.createElement('p');
      text.className = 'text';
      text.textContent = message.text;
      item.append(meta, text);
      return item;
    }),
  );
  $('empty').hidden = messages.length > 0;
}

async function loadMessages() {
  try {
    renderMessages((await state.client.messages()).messages);
  } catch (error) {
    show('error', `The messages could not be loaded. ${describe(error)}`);
  }
}

/** Who is logged in, asked of the API: the cookie (same origin) or the stored token decides. */
async function loadUser() {
  if (!state.sameOrigin && !storedToken()) {
    state.user = null;
    return;
  }
  try {
    const profile = await state.client.profile();
    state.user = { username: profile.username, name: profile.name };
  } catch (error) {
    state.user = null;
    if (error.status === 401) localStorage.removeItem(TOKEN_KEY);
    else show('error', describe(error));
  }
}

function endedElsewhere() {
  localStorage.removeItem(TOKEN_KEY);
  state.user = null;
  render();
  show('error', 'Your session has ended (you were logged out). Log in again to post.');
}

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

function credentials() {
  return { username: $('username').value.trim(), password: $('password').value };
}

async function logIn() {
  const { username, password } = credentials();
  if (!username || !password) return show('error', 'Enter your username and password.');
  try {
    const result = await state.client.login({ username, password });
    if (!state.sameOrigin) localStorage.setItem(TOKEN_KEY, result.response.token);
    state.user = { username: result.response.username, name: result.response.name };
    $('password').value = '';
    render();
    show('notice', `Welcome, ${state.user.name}.`);
    $('message').focus();
  } catch (error) {
    show('error', describe(error));
  }
}

async function signUp() {
  const name = $('name').value.trim();
  const { username, password } = credentials();
  if (!name) return show('error', 'Enter your name to sign up.');
  if (!username || !password) return show('error', 'Choose a username and a password to sign up.');
  try {
    await state.client.register({ name, username, password });
  } catch (error) {
    return show('error', error.status === 409 ? 'That username is taken. Choose another, or log in.' : describe(error));
  }
  await logIn();
}

async function logOut() {
  try {
    await state.client.logout();
  } catch (error) {
    // Already ended elsewhere: the person is logged out either way.
    if (error.status !== 401) return show('error', describe(error));
  }
  localStorage.removeItem(TOKEN_KEY);
  state.user = null;
  render();
  show('notice', 'You are logged out.');
}

async function post() {
  const text = $('message').value.trim();
  if (!text) return show('error', 'Write a message first.');
  try {
    await state.client.postMessage({ text });
    $('message').value = '';
    $('message-count').textContent = '0';
    clearMessages();
    await loadMessages();
  } catch (error) {
    if (error.status === 401) return endedElsewhere();
    show('error', describe(error));
  }
}

async function start() {
  await loadConfig();
  $('account-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void busy($('login'), logIn);
  });
  $('signup').addEventListener('click', () => void busy($('signup'), signUp));
  $('logout').addEventListener('click', () => void busy($('logout'), logOut));
  $('post-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void busy($('post'), post);
  });
  $('message').addEventListener('input', () => {
    $('message-count').textContent = String([...$('message').value].length);
  });
  await Promise.all([loadUser(), loadMessages()]);
  render();
  document.body.dataset.ready = 'true';
}

void start();
