/**
 * Store round trips per operation, counted in-process on the real app: every call of the Store
 * port is wrapped, and on DynamoDB every request the client sends is counted by a middleware.
 * Calls in flight together count once in `steps` (the critical path: a call's depth is one more
 * than the deepest call that had finished before it started); `total` counts every call.
 */

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock';
import { silentLogger } from '../src/core/logger';
import { signingKeys } from '../src/core/signing-keys';
import { createHttpApp } from '../src/entry/build-app';
import { loadConfig } from '../src/entry/config';
import { createDynamoClients } from '../src/entry/dynamodb-client';
import { localKeyVault } from '../src/keys/local-key-vault';
import { createMailSender } from '../src/mail/mail-sender';
import { dynamoStore } from '../src/store/dynamodb';
import { ensureTable } from '../src/store/dynamodb-table';
import { sqliteStore } from '../src/store/sqlite';
import type { Store } from '../src/store/store';

export interface Count {
  readonly steps: number;
  readonly total: number;
}

export const OPERATIONS = ['verify', 'login', 'register', 'refresh'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface RoundTrips {
  /** Calls of the Store port. */
  readonly storeCalls: Record<Operation, Count>;
  /** Requests sent to DynamoDB (only for the DynamoDB store). */
  readonly requests?: Record<Operation, Count>;
}

/** Depth-of-call bookkeeping for the operation under way. */
class Recorder {
  private seq = 0;
  private calls: { start: number; end?: number; depth: number }[] = [];
  reset(): void {
    this.calls = [];
  }
  begin(): () => void {
    const start = ++this.seq;
    const depth = 1 + Math.max(0, ...this.calls.filter((c) => c.end !== undefined && c.end < start).map((c) => c.depth));
    const call: { start: number; end?: number; depth: number } = { start, depth };
    this.calls.push(call);
    return () => (call.end = ++this.seq);
  }
  count(): Count {
    return { steps: Math.max(0, ...this.calls.map((c) => c.depth)), total: this.calls.length };
  }
}

const METHODS = ['get', 'create', 'put', 'update', 'delete', 'increment', 'list', 'transact', 'ping'] as const;

function counted(store: Store, recorder: Recorder): Store {
  const wrapped: Record<string, unknown> = { name: store.name, close: () => store.close() };
  for (const method of METHODS) {
    const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
    wrapped[method] = (...args: unknown[]) => {
      const done = recorder.begin();
      return original(...args).finally(done);
    };
  }
  return wrapped as unknown as Store;
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function countOperations(store: Store, recorders: Recorder[]): Promise<Record<Operation, Count>[]> {
  const config = loadConfig({
    AUTH_ISSUER: 'http://localhost:3000',
    AUTH_CLIENT_LOGINS_PER_10_MIN: '1000000',
    AUTH_CLIENT_REGISTRATIONS_PER_10_MIN: '1000000',
  });
  const vault = localKeyVault({ key: crypto.getRandomValues(new Uint8Array(32)) });
  // The counted operations send no mail (no email at registration); the outbox is there for the wiring.
  const mailer = createMailSender({ kind: 'file', dir: join(tmpdir(), 'gatehouse-bench-outbox'), from: 'Gatehouse <no-reply@localhost>' });
  const keys = signingKeys({ store, clock: systemClock, vault });
  const app = createHttpApp(config, store, silentLogger, systemClock, { vault, keys }, { clientAddress: () => '198.51.100.7', mailer });
  const call = async (path: string, body: unknown) => {
    const res = await app.request(path, json(body));
    if (!res.ok) throw new Error(`round trips: ${path} answered ${res.status} ${await res.text()}`);
    return (await res.json()) as { token?: string; refreshToken?: string; response?: { token: string } };
  };
  const password = 'round trip passphrase 2026';
  const results = recorders.map(() => ({}) as Record<Operation, Count>);
  const measure = async <T>(operation: Operation, run: () => Promise<T>): Promise<T> => {
    for (const r of recorders) r.reset();
    const value = await run();
    recorders.forEach((r, i) => {
      results[i]![operation] = r.count();
    });
    return value;
  };
  // Once unmeasured, so per-process caches (signing key, refresh key) are warm, as in steady state.
  await call('/register', { name: 'Warm', username: 'warm', password });
  const warm = await call('/login', { username: 'warm', password });
  await call('/verify', { token: warm.response!.token });
  await call('/token/refresh', { refreshToken: warm.refreshToken });

  await measure('register', () => call('/register', { name: 'Counted', username: 'counted', password }));
  const login = await measure('login', () => call('/login', { username: 'counted', password }));
  await measure('verify', () => call('/verify', { token: login.response!.token }));
  await measure('refresh', () => call('/token/refresh', { refreshToken: login.refreshToken }));
  return results;
}

export async function countRoundTrips(kind: 'sqlite' | 'dynamodb', endpoint?: string): Promise<RoundTrips> {
  const calls = new Recorder();
  if (kind === 'sqlite') {
    const store = counted(sqliteStore({ file: ':memory:' }), calls);
    try {
      const [storeCalls] = await countOperations(store, [calls]);
      return { storeCalls: storeCalls! };
    } finally {
      await store.close();
    }
  }
  const requests = new Recorder();
  const clients = createDynamoClients({ AWS_ENDPOINT_URL_DYNAMODB: endpoint });
  await ensureTable(clients.client, 'roundtrips');
  // After the retry middleware: one count per request that goes on the wire.
  clients.client.middlewareStack.add(
    (next) => async (args) => {
      const done = requests.begin();
      try {
        return await next(args);
      } finally {
        done();
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchRoundTrips' },
  );
  const store = counted(dynamoStore({ client: clients.document, table: 'roundtrips' }), calls);
  try {
    const [storeCalls, sent] = await countOperations(store, [calls, requests]);
    return { storeCalls: storeCalls!, requests: sent! };
  } finally {
    clients.client.destroy();
  }
}
