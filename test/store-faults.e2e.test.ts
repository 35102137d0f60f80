import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { emailKey, SESSION_PREFIX, sessionKey, userKey } from '../src/core/records';
import { dynamoStore } from '../src/store/dynamodb';
import { sqliteStore } from '../src/store/sqlite';
import type { Store } from '../src/store/store';
import { localClients, uniqueTable } from './helpers/dynamodb';
import { type FaultPlan, type FaultProxy, startFaultProxy } from './helpers/fault-proxy';
import { postJson, type RunningServer, startServer } from './helpers/server';

/**
 * The same workloads on both stores; on DynamoDB through a proxy that delays answers past the
 * client's patience, cuts connections after the request went through, and answers 500/503.
 * What must hold either way: no 500, no wrong answer (a 409 for one's own registration, a
 * reused-token refusal for one's own refresh), every acknowledged write present, nothing
 * half-written. A 503 is allowed: it says "not done, try again".
 */
const FAULTS: FaultPlan = { delay: 0.03, cut: 0.03, error500: 0.03, error503After: 0.03 };
const LIMITS = { AUTH_CLIENT_REGISTRATIONS_PER_10_MIN: '100000', AUTH_CLIENT_LOGINS_PER_10_MIN: '100000', AUTH_LOGIN_FAILURES_PER_CLIENT: '1000' };

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Kind {
  readonly name: string;
  start(): Promise<{ env: Record<string, string>; store: Store; proxy?: FaultProxy }>;
}

const kinds: Kind[] = [
  {
    name: 'dynamodb through a faulty network',
    async start() {
      const [host, port] = new URL(inject('dynamoEndpoint')).host.split(':');
      const proxy = await startFaultProxy({ host: host!, port: Number(port) });
      const table = uniqueTable('faults');
      const env = { AUTH_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, AUTH_TABLE: table };
      return { env, proxy, store: { ...dynamoStore({ client: localClients().document, table }), close: async () => {} } };
    },
  },
  {
    name: 'sqlite',
    async start() {
      const env = { AUTH_STORE: 'sqlite', AUTH_SQLITE_FILE: join(dir, 'faults.db') };
      return { env, store: sqliteStore({ file: env.AUTH_SQLITE_FILE }) };
    },
  },
];

/** Asks again while the answer is 503 (not done, try again), a few times. */
async function untilAnswered<T extends { status: number }>(ask: () => Promise<T>): Promise<T> {
  let answer = await ask();
  for (let tries = 1; answer.status === 503 && tries < 5; tries++) answer = await ask();
  return answer;
}

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe.each(kinds)('writes under faults: $name', (kind) => {
  let server: RunningServer;
  let store: Store;
  let proxy: FaultProxy | undefined;
  const answers: number[] = [];
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await postJson(`${server.url}${path}`, body, headers);
    answers.push(res.status);
    return res;
  };
  /** Faults on for the workload, off for looking at what it left. */
  const faulty = async <T>(work: () => Promise<T>): Promise<T> => {
    proxy?.setPlan(FAULTS);
    try {
      return await work();
    } finally {
      proxy?.setPlan({});
    }
  };

  beforeAll(async () => {
    const started = await kind.start();
    store = started.store;
    proxy = started.proxy;
    server = await startServer({ ...started.env, ...LIMITS });
  });
  afterAll(async () => {
    await server?.stop();
    await store?.close();
    await proxy?.close();
    const statuses = tally(answers);
    const faults = proxy
      ? Object.entries(proxy.counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : 'none (no network)';
    console.log(`[${kind.name}] answers by status: ${JSON.stringify(statuses)}; store requests: ${faults}`);
    expect(statuses[500] ?? 0).toBe(0);
  });

  it('50 registrations of one name: the stored one was answered 201 or 503, never 409; one user', { timeout: 60_000 }, async () => {
    const results = await faulty(() =>
      Promise.all(Array.from({ length: 50 }, (_, i) => post('/register', { name: `Racer ${i}`, username: 'contested', password: `racing passphrase ${i}` }))),
    );
    expect(results.every((r) => [201, 409, 503].includes(r.status))).toBe(true);
    const stored = await store.get<{ name: string }>(userKey('contested'));
    expect(stored).toBeDefined();
    const author = Number(stored!.data.name.replace('Racer ', ''));
    expect([201, 503]).toContain(results[author]!.status);
    expect(results.filter((r) => r.status === 201).length).toBeLessThanOrEqual(1);
    if (results.some((r) => r.status === 201)) expect(results[author]!.status).toBe(201);
    expect((await post('/login', { username: 'contested', password: `racing passphrase ${author}` })).status).toBe(200);
  });

  it('200 distinct registrations with emails: no 409, every 201 logs in, user and email claim both or neither', { timeout: 180_000 }, async () => {
    const names = Array.from({ length: 200 }, (_, i) => `many${i}`);
    const results: { status: number }[] = [];
    await faulty(async () => {
      for (let i = 0; i < names.length; i += 10) {
        const batch = names.slice(i, i + 10);
        results.push(
          ...(await Promise.all(batch.map((u) => post('/register', { name: u, username: u, email: `${u}@example.com`, password: `passphrase of ${u}` })))),
        );
      }
    });
    expect(results.filter((r) => ![201, 503].includes(r.status))).toEqual([]);
    for (const [i, username] of names.entries()) {
      const [user, claim] = await Promise.all([store.get(userKey(username)), store.get(emailKey(`${username}@example.com`))]);
      expect(Boolean(user)).toBe(Boolean(claim));
      if (results[i]!.status === 201) expect(user).toBeDefined();
    }
    const created = names.filter((_, i) => results[i]!.status === 201);
    // What is checked is that each account is there and whole; a 503 on a busy machine only says "again".
    const logins = await Promise.all(created.map((u) => untilAnswered(() => post('/login', { username: u, password: `passphrase of ${u}` }))));
    expect(logins.map((r) => r.status)).toEqual(created.map(() => 200));
  });

  it('50 parallel logins: each 200 or 503, every 200 a stored session whose token verifies', { timeout: 60_000 }, async () => {
    const password = 'parallel login passphrase';
    expect((await post('/register', { name: 'Burst', username: 'burst', password })).status).toBe(201);
    const logins = await faulty(() => Promise.all(Array.from({ length: 50 }, () => post('/login', { username: 'burst', password }))));
    expect(logins.every((r) => [200, 503].includes(r.status))).toBe(true);
    const tokens = logins.filter((r) => r.status === 200).map((r) => r.body.response.token as string);
    expect(tokens.length).toBeGreaterThanOrEqual(30);
    for (const token of tokens) expect(await store.get(sessionKey('burst', String(decodeJwt(token).sid)))).toBeDefined();
    const verified = await Promise.all(tokens.map((token) => post('/verify', { token })));
    expect(verified.map((r) => r.status)).toEqual(tokens.map(() => 200));
  });

  it('refresh rotation: a retry after a lost answer gets the same pair, never "already used"', { timeout: 60_000 }, async () => {
    const password = 'rotating passphrase';
    expect((await post('/register', { name: 'Rotor', username: 'rotor', password })).status).toBe(201);
    const sessions = await Promise.all(Array.from({ length: 10 }, () => post('/login', { username: 'rotor', password })));
    const finals = await faulty(() =>
      Promise.all(
        sessions.map(async (login) => {
          let refreshToken = login.body.refreshToken as string;
          let token = login.body.response.token as string;
          for (let step = 0; step < 5; step++) {
            let res = await post('/token/refresh', { refreshToken });
            // The client's own retry of an unanswered refresh, within the grace period.
            for (let retry = 0; res.status === 503 && retry < 5; retry++) res = await post('/token/refresh', { refreshToken });
            expect(res.status).toBe(200);
            refreshToken = res.body.refreshToken;
            token = res.body.response.token;
          }
          return token;
        }),
      ),
    );
    const verified = await Promise.all(finals.map((token) => post('/verify', { token })));
    expect(verified.map((r) => r.status)).toEqual(finals.map(() => 200));
  });

  it('logout and password change: what was answered 200 holds', { timeout: 60_000 }, async () => {
    const password = 'changing passphrase';
    expect((await post('/register', { name: 'Leaving', username: 'leaving', password })).status).toBe(201);
    const logins = await Promise.all(Array.from({ length: 12 }, () => post('/login', { username: 'leaving', password })));
    const tokens = logins.map((r) => r.body.response.token as string);
    const outs = await faulty(() => Promise.all(tokens.slice(0, 10).map((token) => post('/logout', { token }))));
    expect(outs.every((r) => [200, 503].includes(r.status))).toBe(true);
    for (const [i, out] of outs.entries()) if (out.status === 200) expect((await post('/verify', { token: tokens[i] })).status).toBe(401);

    let change = await faulty(() =>
      post('/password', { currentPassword: password, newPassword: 'the changed passphrase' }, { authorization: `Bearer ${tokens[10]}` }),
    );
    for (let retry = 0; change.status === 503 && retry < 5; retry++) {
      change = await faulty(() =>
        post('/password', { currentPassword: password, newPassword: 'the changed passphrase' }, { authorization: `Bearer ${tokens[10]}` }),
      );
    }
    // A retry of a change that landed finds the new password already in place.
    expect([200, 403]).toContain(change.status);
    expect((await post('/login', { username: 'leaving', password: 'the changed passphrase' })).status).toBe(200);
    expect((await post('/login', { username: 'leaving', password })).status).toBe(401);
    expect((await post('/verify', { token: tokens[11] })).status).toBe(401);
    expect((await post('/verify', { token: tokens[10] })).status).toBe(200);
    const left = await store.list(userKey('leaving').pk, { prefix: SESSION_PREFIX });
    expect(left.length).toBe(2);
  });
});
