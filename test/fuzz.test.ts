import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../src/http/routes';
import { sqliteStore } from '../src/store/sqlite';
import { makeTestApp, PASSWORD } from './helpers/app';
import { postJson, startServer } from './helpers/server';

const FIELDS = ['name', 'username', 'password', 'email', 'token', 'refreshToken', 'text', 'currentPassword', 'newPassword'];
const POLLUTERS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const printable = (max: number) => fc.string({ maxLength: max, unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCZabcz[]\\^_`{|}~'.split('')) });

/** JSON bodies that look like ours: known fields, prototype keys, and values of every type. */
const bodyArb = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS, ...POLLUTERS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.dictionary(fc.constantFrom(...FIELDS), fc.string({ maxLength: 80 }), { maxKeys: 5 }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.constant('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"username":"x"}'),
  fc.constant(''),
);

const headersArb = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''),
    authorization: fc.oneof(
      printable(200).map((s) => `Bearer ${s}`),
      printable(100),
    ),
    cookie: fc.oneof(
      printable(200).map((s) => `gatehouse_token=${s}`),
      printable(100),
    ),
    origin: fc.oneof(fc.constant('http://evil.example'), fc.constant('http://localhost:3000'), printable(40)),
    'user-agent': printable(400),
  },
  { requiredKeys: [] },
);

const pathArb = fc.oneof(
  fc
    .constantFrom(...ROUTES.map((r) => r.path))
    .chain((path) => (path.includes(':id') ? printable(40).map((id) => path.replace(':id', encodeURIComponent(id) || 'x')) : fc.constant(path))),
  printable(60).map((p) => `/${encodeURIComponent(p)}`),
);

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
  path: pathArb,
  body: bodyArb,
  headers: headersArb,
});

describe('fuzzing every route with arbitrary JSON, strings and headers', () => {
  it('never answers 5xx in-process, and prototype-pollution keys change nothing', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    await t.register('alice');
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ method, path, body, headers }) => {
        const hasBody = method !== 'GET' && method !== 'HEAD';
        const res = await t.app.request(path, { method, headers, ...(hasBody ? { body } : {}) });
        expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
        if (res.status >= 400 && method !== 'HEAD') {
          const answer = await res.json();
          expect(typeof answer.code).toBe('string');
          expect(typeof answer.message).toBe('string');
        }
      }),
      { numRuns: 1500 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await t.call('/health')).status).toBe(200);
    expect((await t.call('/login', { body: { username: 'alice', password: PASSWORD } })).status).toBe(200);
  });

  describe('over real HTTP', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps the server up and answering, with no 5xx', async () => {
      const server = await startServer({ AUTH_SQLITE_FILE: join(dir, 'fuzz.db') });
      try {
        await postJson(`${server.url}/register`, { name: 'Alice', username: 'alice', password: PASSWORD });
        await fc.assert(
          fc.asyncProperty(requestArb, async ({ method, path, body, headers }) => {
            const hasBody = method !== 'GET' && method !== 'HEAD';
            const res = await fetch(server.url + path, { method, headers, ...(hasBody ? { body } : {}) });
            await res.arrayBuffer();
            expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
          }),
          { numRuns: 300 },
        );
        expect(server.process.exitCode).toBeNull();
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
        expect((await postJson(`${server.url}/login`, { username: 'alice', password: PASSWORD })).status).toBe(200);
      } finally {
        await server.stop();
      }
    });
  });
});
