import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../src/core/passwords';
import { totpCode } from '../src/core/totp';
import { nodeClientAddress, nodeRequestAddress } from '../src/entry/client-address';
import { jsonLogger } from '../src/entry/json-logger';
import { nodeBodyReader } from '../src/entry/node-body';
import { nodeListener } from '../src/entry/node-listener';
import type { ClientAddress } from '../src/http/context';
import type { QuickPaths } from '../src/http/quick-paths';
import { sqliteStore } from '../src/store/sqlite';
import type { Data, Key, Store } from '../src/store/store';
import { bearer, hasher, makeTestApp, PASSWORD, type TestApp } from './helpers/app';

/** Headers Node writes itself or that differ per answer by design. */
const PER_ANSWER = ['x-request-id', 'date', 'content-length', 'keep-alive', 'connection'];

/**
 * The Node server answers the common cases of POST /verify and POST /login without the framework;
 * everything about the answer must be what the app itself would have said, and everything a login
 * counts must be counted once.
 */
describe.each([
  { name: 'any origin', corsOrigins: ['*'] },
  { name: 'listed origins', corsOrigins: ['https://app.example.com'] },
])('the Node listener with $name', ({ corsOrigins }) => {
  let t: TestApp;
  let server: Server;
  let url: string;
  /** Answers each quick path gave, and every failure it handed on to the app; for logins, every call. */
  const quick = { verify: 0, verifyFailures: 0, login: 0, loginCalls: 0, loginFailures: 0 };
  let token: string;
  /** Reads of the store, to tell a check done once from one done twice. */
  let reads = 0;
  const readsCounted = (store: Store): Store => ({
    ...store,
    get: <T extends Data = Data>(key: Key) => {
      reads++;
      return store.get<T>(key);
    },
  });
  /** The app's request log lines. */
  const logged: { requestId: string; route: string; status: number; ms: number }[] = [];
  /** A wait before each password check, when a test wants the check's time to show. */
  let checkWait = 0;
  const waitingHasher: PasswordHasher = {
    ...hasher,
    verify: async (stored, password) => {
      if (checkWait) await new Promise((resolve) => setTimeout(resolve, checkWait));
      return hasher.verify(stored, password);
    },
  };
  beforeAll(async () => {
    // The server's own rule for the caller's address, in the app and in the listener (the requests
    // the app gets without a server, from the test's own calls, come from one other address).
    const byServer = nodeClientAddress(false);
    const clientAddress: ClientAddress = (c) => ((c.env as { incoming?: unknown } | undefined)?.incoming ? byServer(c) : '192.0.2.1');
    const logger = jsonLogger('info', {
      write: (line: string) => {
        const entry = JSON.parse(line);
        if (entry.msg === 'request') logged.push(entry);
      },
    });
    t = await makeTestApp(async (now) => readsCounted(sqliteStore({ file: ':memory:', now })), {
      settings: { corsOrigins },
      readBody: nodeBodyReader,
      clientAddress,
      logger,
      hasher: waitingHasher,
    });
    const original = t.app.quick;
    /** The quick path, its answers and failures counted. */
    const counting =
      <R>(run: (request: R) => ReturnType<QuickPaths['verify']>, answered: () => void, failed: () => void) =>
      async (request: R) => {
        try {
          const answer = await run(request);
          if (answer) answered();
          return answer;
        } catch (error) {
          failed();
          throw error;
        }
      };
    const counted: QuickPaths = {
      verify: counting(
        original.verify,
        () => quick.verify++,
        () => quick.verifyFailures++,
      ),
      login: (request) => {
        quick.loginCalls++;
        return counting(
          original.login,
          () => quick.login++,
          () => quick.loginFailures++,
        )(request);
      },
    };
    server = createServer(nodeListener(Object.assign(t.app, { quick: counted }), nodeRequestAddress(false)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await t.register('quinn');
    token = (await t.login('quinn')).token;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.text();
    const kept = Object.fromEntries([...res.headers].filter(([name]) => !PER_ANSWER.includes(name)));
    return { status: res.status, body: text, headers: kept, requestId: res.headers.get('x-request-id') };
  };
  const verify = (body: string, headers: Record<string, string> = {}) => send('/verify', body, headers);

  it('answers a good token by body or bearer exactly as the app does (the same body and headers)', async () => {
    for (const [body, headers] of [
      [JSON.stringify({ username: 'quinn', token }), {}],
      ['', { authorization: `Bearer ${token}` }],
    ] as const) {
      const before = quick.verify;
      const fast = await verify(body, headers);
      expect(quick.verify).toBe(before + 1);
      // An unrelated cookie sends the same request through the whole app.
      const full = await verify(body, { ...headers, cookie: 'unrelated=1' });
      expect(quick.verify).toBe(before + 1);
      expect(fast.status).toBe(200);
      expect(fast).toEqual({ ...full, requestId: fast.requestId });
      expect(fast.requestId).toMatch(/^[\w-]+$/);
      expect(fast.requestId).not.toBe(full.requestId);
    }
  });

  it('hands a refused token to the app, which answers it as its own without checking it again', async () => {
    const before = { ...quick };
    const ended = (await t.login('quinn')).token;
    expect((await t.call('/logout', { body: { token: ended } })).status).toBe(200);
    for (const body of [{ token: 'garbage' }, { username: 'someone-else', token }, { token: ended }]) {
      const readsBefore = reads;
      const fast = await verify(JSON.stringify(body));
      const readsFast = reads - readsBefore;
      const full = await verify(JSON.stringify(body), { cookie: 'unrelated=1' });
      expect(fast).toMatchObject({ status: 401, body: expect.stringContaining('"verified":false') });
      expect(fast).toEqual({ ...full, requestId: fast.requestId });
      // The ended session is looked up once, by the quick path, as often as by the app alone.
      expect(readsFast).toBe(reads - readsBefore - readsFast);
    }
    expect([quick.verify, quick.verifyFailures]).toEqual([before.verify, before.verifyFailures + 3]);
  });

  it('leaves every other answer to the app: bad bodies, browsers, big bodies', async () => {
    const before = quick.verify;
    expect(await verify('{"token": ')).toMatchObject({ status: 400, body: expect.stringContaining('invalid_json') });
    expect(await verify('[1,2]')).toMatchObject({ status: 400 });
    expect(await verify(JSON.stringify({ token, username: 7 }))).toMatchObject({ status: 400 });
    expect(await verify(JSON.stringify({ token }), { origin: 'https://app.example.com' })).toMatchObject({ status: 200 });
    expect(await verify(JSON.stringify({ token, padding: 'x'.repeat(20_000) }))).toMatchObject({ status: 413 });
    expect(quick.verify).toBe(before);
  });

  /** A login's answer with its tokens masked: each login's are its own. */
  const masked = (answer: { status: number; body: string; headers: Record<string, string> }) => {
    const body = JSON.parse(answer.body);
    for (const key of ['token', 'refreshToken', 'mfaToken'] as const) {
      if (body[key]) body[key] = key;
      if (body.response?.[key]) body.response[key] = key;
    }
    const headers = { ...answer.headers };
    if (headers['set-cookie']) headers['set-cookie'] = headers['set-cookie'].replace(/=[^;]+;/, '=token;');
    return { status: answer.status, body, headers };
  };
  const login = (username: string, password: string, headers: Record<string, string> = {}) => send('/login', JSON.stringify({ username, password }), headers);
  /** A login sent with Node's own client, which sends what fetch will not: a made-up Host, a header twice. */
  const rawLogin = (username: string, headers: Record<string, string | string[]>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ username, password: PASSWORD });
      const req = request(
        `${url}/login`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('answers a login exactly as the app does — the body, the headers, the cookie — with tokens that work', async () => {
    await t.register('lena');
    const before = quick.login;
    const fast = await login('lena', PASSWORD);
    expect(quick.login).toBe(before + 1);
    // An unrelated cookie sends the same request through the whole app.
    const full = await login('lena', PASSWORD, { cookie: 'unrelated=1' });
    expect(quick.login).toBe(before + 1);
    expect(fast.status).toBe(200);
    expect(masked(fast)).toEqual(masked(full));
    expect(fast.headers['set-cookie']).toMatch(/^gatehouse_token=[\w.-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    const { response, refreshToken } = JSON.parse(fast.body);
    expect(fast.headers['set-cookie']).toContain(`gatehouse_token=${response.token};`);
    expect((await verify(JSON.stringify({ token: response.token }))).status).toBe(200);
    expect((await t.call('/token/refresh', { body: { refreshToken } })).status).toBe(200);
    const sessions = await (await t.call('/sessions', { method: 'GET', headers: bearer(response.token) })).json();
    expect(sessions.sessions).toHaveLength(2);
  });

  it('answers the second step of an account with a second factor as the app does, with no token and no cookie', async () => {
    await t.register('mona');
    const { token: mona } = await t.login('mona');
    const { secret } = await (await t.call('/mfa/totp/setup', { body: { currentPassword: PASSWORD }, headers: bearer(mona) })).json();
    expect((await t.call('/mfa/totp/confirm', { body: { code: totpCode({ secret, now: t.clock.now() }) }, headers: bearer(mona) })).status).toBe(200);
    const before = quick.login;
    const fast = await login('mona', PASSWORD);
    expect(quick.login).toBe(before + 1);
    const full = await login('mona', PASSWORD, { cookie: 'unrelated=1' });
    expect(masked(fast)).toEqual(masked(full));
    expect(JSON.parse(fast.body)).toMatchObject({ mfaRequired: true, mfaToken: expect.any(String) });
    expect(fast.headers['set-cookie']).toBeUndefined();
    const done = await t.call('/login/mfa', { body: { mfaToken: JSON.parse(fast.body).mfaToken, code: totpCode({ secret, now: t.clock.now() + 30_000 }) } });
    expect(done.status).toBe(200);
  });

  it('leaves a refused login to the app, counted once: five wrong passwords by either path, then the client waits', async () => {
    await t.register('nina');
    const before = { ...quick };
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await login('nina', 'not the password', i % 2 ? { cookie: 'unrelated=1' } : {}));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    // The three sent without a cookie were tried by the quick path, failed there, and answered by the app alike.
    expect([quick.loginCalls - before.loginCalls, quick.loginFailures - before.loginFailures]).toEqual([3, 3]);
    expect({ ...answers[0]!, requestId: null }).toEqual({ ...answers[1]!, requestId: null });
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ code: 'invalid_credentials' });
    // Counted twice, the wait would have come after the third; it comes after the fifth, on the right password too.
    const waiting = await login('nina', PASSWORD);
    expect(waiting.status).toBe(429);
    expect(JSON.parse(waiting.body)).toMatchObject({ code: 'rate_limited' });
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(0);
    const waitingFull = await login('nina', PASSWORD, { cookie: 'unrelated=1' });
    expect({ ...waiting, requestId: null, headers: { ...waiting.headers, 'retry-after': '' } }).toEqual({
      ...waitingFull,
      requestId: null,
      headers: { ...waitingFull.headers, 'retry-after': '' },
    });
    expect([quick.login, quick.loginFailures - before.loginFailures]).toEqual([before.login, 4]);
  });

  it("logs a refused login the quick path began as one request: the answer's id, timed from its start", async () => {
    await t.register('rhea');
    const before = { ...quick };
    checkWait = 100;
    let refused: Awaited<ReturnType<typeof login>>;
    try {
      refused = await login('rhea', 'not the password');
    } finally {
      checkWait = 0;
    }
    expect(refused.status).toBe(401);
    expect(quick.loginFailures).toBe(before.loginFailures + 1);
    const lines = logged.filter((line) => line.requestId === refused.requestId);
    expect(lines).toEqual([expect.objectContaining({ route: '/login', status: 401 })]);
    // The password check alone waited 100 ms before the app took the failure over.
    expect(lines[0]!.ms).toBeGreaterThanOrEqual(100);
    // The id the quick path gave the login is the one answered and logged: it follows the
    // registration's (a random prefix of 8, then a count), none spent twice on one request.
    const previous = logged[logged.indexOf(lines[0]!) - 1]!;
    expect(previous.route).toBe('/register');
    const count = (id: string) => Number.parseInt(id.slice(8), 36);
    expect(count(refused.requestId!)).toBe(count(previous.requestId) + 1);
  });

  it('leaves bad bodies, browsers and big bodies to the app', async () => {
    await t.register('otto');
    const before = { ...quick };
    expect(await send('/login', '{"username": ')).toMatchObject({ status: 400, body: expect.stringContaining('invalid_json') });
    expect(await send('/login', JSON.stringify({ username: 'otto', password: 7 }))).toMatchObject({
      status: 400,
      body: expect.stringContaining('"field":"password"'),
    });
    expect(await login('otto', PASSWORD, { origin: 'https://app.example.com' })).toMatchObject({ status: 200 });
    expect(await login('otto', PASSWORD, { referer: 'https://elsewhere.example/' })).toMatchObject({ status: 200 });
    expect(await send('/login', JSON.stringify({ username: 'otto', password: PASSWORD, padding: 'x'.repeat(20_000) }))).toMatchObject({ status: 413 });
    // Tried and declined, before anything was done: the two bodies and the Referer.
    expect([quick.login, quick.loginCalls - before.loginCalls, quick.loginFailures]).toEqual([before.login, 3, before.loginFailures]);
    // A Host that is not a host: the framework refuses it, as it always has.
    expect((await rawLogin('otto', { host: 'example.com@elsewhere' })).status).toBe(400);
    expect(quick.loginCalls - before.loginCalls).toBe(3);
  });

  it('keeps a user agent sent twice as the app does: both, joined', async () => {
    await t.register('ugo');
    const before = quick.login;
    const agents = { 'user-agent': ['First/1.0', 'Second/2.0'] };
    const fast = await rawLogin('ugo', agents);
    expect((await rawLogin('ugo', { ...agents, cookie: 'unrelated=1' })).status).toBe(200);
    expect(quick.login).toBe(before + 1);
    const listed = await t.call('/sessions', { headers: bearer(JSON.parse(fast.body).response.token) });
    expect((await listed.json()).sessions.map((s: { userAgent: string }) => s.userAgent)).toEqual(['First/1.0, Second/2.0', 'First/1.0, Second/2.0']);
  });
});
