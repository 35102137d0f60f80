import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_PREFIX, userKey } from '../src/core/records';
import type { Store } from '../src/store/store';
import { postJson, type RunningServer, startServer } from './helpers/server';
import { serverStores } from './helpers/server-stores';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-concurrency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(serverStores)('50 concurrent requests over HTTP, on $name', (kind) => {
  let server: RunningServer;
  let store: Store;
  beforeAll(async () => {
    const env = { ...kind.env(dir, 'race'), AUTH_CLIENT_REGISTRATIONS_PER_10_MIN: '1000' };
    server = await startServer(env);
    store = kind.open(env);
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('50 registrations of one username: exactly one 201, 49 × 409, one user stored', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postJson(`${server.url}/register`, { name: `Racer ${i}`, username: 'contested', password: `racing passphrase ${i}` }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(49);
    expect(refused.every((r) => r.body.code === 'user_exists')).toBe(true);

    const winner = results.indexOf(created[0]!);
    const stored = await store.get(userKey('contested'));
    expect(stored?.data.name).toBe(`Racer ${winner}`);
    expect((await store.list(userKey('contested').pk)).filter((item) => item.sk === 'PROFILE')).toHaveLength(1);
    // The winner's password is the one that logs in.
    expect((await postJson(`${server.url}/login`, { username: 'contested', password: `racing passphrase ${winner}` })).status).toBe(200);
    expect((await postJson(`${server.url}/login`, { username: 'contested', password: `racing passphrase ${(winner + 1) % 50}` })).status).toBe(401);
  });

  it('50 registrations of one email under different usernames: one 201, 49 × 409, no half-written user', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postJson(`${server.url}/register`, { name: `Mail ${i}`, username: `mailer${i}`, email: 'shared@example.com', password: `mail passphrase ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    const winner = results.findIndex((r) => r.status === 201);
    const users = await Promise.all(results.map((_, i) => store.get(userKey(`mailer${i}`))));
    expect(users.map((user, i) => (user ? i : -1)).filter((i) => i >= 0)).toEqual([winner]);
  });

  it('50 logins of one user: 50 distinct valid sessions; logging out one leaves 49', async () => {
    const password = 'parallel login passphrase';
    expect((await postJson(`${server.url}/register`, { name: 'Many Tabs', username: 'manytabs', password })).status).toBe(201);
    const logins = await Promise.all(Array.from({ length: 50 }, () => postJson(`${server.url}/login`, { username: 'manytabs', password })));
    expect(logins.map((r) => r.status)).toEqual(Array(50).fill(200));
    const tokens = logins.map((r) => r.body.response.token as string);
    expect(new Set(tokens.map((token) => decodeJwt(token).sid)).size).toBe(50);
    expect(await store.list(userKey('manytabs').pk, { prefix: SESSION_PREFIX })).toHaveLength(50);

    const verifyAll = () => Promise.all(tokens.map((token) => postJson(`${server.url}/verify`, { username: 'manytabs', token })));
    expect((await verifyAll()).map((r) => r.status)).toEqual(Array(50).fill(200));

    expect((await postJson(`${server.url}/logout`, { token: tokens[17] })).status).toBe(200);
    const after = await verifyAll();
    expect(after.filter((r) => r.status === 200)).toHaveLength(49);
    expect(after[17]!.status).toBe(401);
    expect(await store.list(userKey('manytabs').pk, { prefix: SESSION_PREFIX })).toHaveLength(49);
  });
});
