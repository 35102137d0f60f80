import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { userKey } from '../src/core/records';
import { jsonLogger } from '../src/entry/json-logger';
import { sqliteStore } from '../src/store/sqlite';
import { bearer, makeTestApp, PASSWORD } from './helpers/app';
import { postJson, startServer } from './helpers/server';

const NEW_PASSWORD = 'the second secret phrase';

/** Every kind of request, good and bad; returns every secret the flow handled. */
async function wholeFlow(call: (path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>) {
  const secrets: string[] = [PASSWORD, NEW_PASSWORD, 'wrong guess of a password'];
  await call('/register', { body: { name: 'Logged', username: 'logged', password: PASSWORD, email: 'logged@example.com' } });
  await call('/register', { body: { name: 'Weak', username: 'weak', password: 'password1' } });
  await call('/login', { body: { username: 'logged', password: 'wrong guess of a password' } });
  await call('/login', { body: { username: 'nobody', password: PASSWORD } });
  const login = await (await call('/login', { body: { username: 'logged', password: PASSWORD } })).json();
  const token = login.response.token as string;
  secrets.push(token, login.refreshToken, login.refreshToken.split('.')[2]);
  await call('/verify', { body: { username: 'logged', token } });
  await call('/verify', { body: { token: `${token}x` } });
  await call('/user/myprofile', { headers: bearer(token) });
  await call('/messages', { body: { text: 'a logged message' }, headers: bearer(token) });
  const refreshed = await (await call('/token/refresh', { body: { refreshToken: login.refreshToken } })).json();
  secrets.push(refreshed.response.token, refreshed.refreshToken, refreshed.refreshToken.split('.')[2]);
  await call('/sessions', { headers: bearer(refreshed.response.token) });
  await call('/password', { body: { currentPassword: 'wrong guess of a password', newPassword: NEW_PASSWORD }, headers: bearer(refreshed.response.token) });
  await call('/password', { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, headers: bearer(refreshed.response.token) });
  await call('/token/refresh', { body: { refreshToken: login.refreshToken } });
  await call('/logout', { body: { token: refreshed.response.token } });
  await call('/logout/all', { headers: bearer(refreshed.response.token), method: 'POST' });
  await call('/register', { body: '{"password": "' + PASSWORD + '", broken json' });
  return secrets;
}

function expectNoSecrets(logs: string, secrets: string[], hashes: string[]) {
  expect(logs.length).toBeGreaterThan(0);
  for (const secret of [...secrets, ...hashes]) expect(logs).not.toContain(secret);
  expect(logs).not.toMatch(/\$argon2|\$2[aby]\$/);
  expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ/);
}

describe('logs carry no password, hash, access token or refresh token', () => {
  it('in-process, at debug level, over the whole flow', async () => {
    const lines: string[] = [];
    const logger = jsonLogger('debug', { write: (line: string) => lines.push(line.trimEnd()) });
    const store = sqliteStore({ file: ':memory:' });
    const t = await makeTestApp(store, { logger });
    const secrets = await wholeFlow(t.call);
    const hash = String((await store.get(userKey('logged')))?.data.passwordHash);
    const logs = lines.join('\n');
    expectNoSecrets(logs, secrets, [hash]);
    // The log is still useful: every request is there with its route and status.
    expect(lines.filter((line) => JSON.parse(line).msg === 'request').length).toBe(17);
    expect(logs).toContain('"route":"/token/refresh"');
  });

  it('blanks secret-named fields even if a caller passes them, and keeps the rest', () => {
    const lines: string[] = [];
    const logger = jsonLogger('info', { write: (line: string) => lines.push(line) });
    logger.warn('careless', { user: 'alice', password: 'hunter2hunter2', request: { authorization: 'Bearer abc', token: 'eyJx' } });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      level: 'warn',
      msg: 'careless',
      user: 'alice',
      password: '[redacted]',
      request: { authorization: '[redacted]', token: '[redacted]' },
    });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(lines.join('')).not.toMatch(/hunter2|abc|eyJx/);
  });

  it('writes nothing below its level', () => {
    const lines: string[] = [];
    jsonLogger('warn', { write: (line: string) => lines.push(line) }).info('quiet', {});
    expect(lines).toEqual([]);
  });

  describe('from the real server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logs-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('in everything it prints', async () => {
      const server = await startServer({ AUTH_SQLITE_FILE: join(dir, 'logs.db'), LOG_LEVEL: 'debug' });
      const call = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
        fetch(server.url + path, {
          method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
          headers: { 'content-type': 'application/json', ...init.headers },
          ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
        });
      let secrets: string[];
      try {
        secrets = await wholeFlow(call);
        expect((await postJson(`${server.url}/login`, { username: 'logged', password: NEW_PASSWORD })).status).toBe(200);
      } finally {
        await server.stop();
      }
      const store = sqliteStore({ file: join(dir, 'logs.db') });
      const hash = String((await store.get(userKey('logged')))?.data.passwordHash);
      await store.close();
      expectNoSecrets(server.output(), secrets, [hash]);
      expect(server.output()).toContain('"msg":"request"');
    });
  });
});
