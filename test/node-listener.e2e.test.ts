import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBodyReader } from '../src/entry/node-body';
import { nodeListener } from '../src/entry/node-listener';
import { sqliteStore } from '../src/store/sqlite';
import { makeTestApp, type TestApp } from './helpers/app';

/**
 * The Node server answers POST /verify's common case without the framework; everything about the
 * answer must be what the app itself would have said.
 */
describe.each([
  { name: 'any origin', corsOrigins: ['*'] },
  { name: 'listed origins', corsOrigins: ['https://app.example.com'] },
])('the Node listener with $name', ({ corsOrigins }) => {
  let t: TestApp;
  let server: Server;
  let url: string;
  let quick = 0;
  let token: string;
  beforeAll(async () => {
    t = await makeTestApp(sqliteStore({ file: ':memory:' }), { settings: { corsOrigins }, readBody: nodeBodyReader });
    const original = t.app.quickVerify;
    const counted = Object.assign(t.app, {
      quickVerify: async (request: Parameters<typeof original>[0]) => {
        const answer = await original(request);
        if (answer) quick++;
        return answer;
      },
    });
    server = createServer(nodeListener(counted));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await t.register('quinn');
    token = (await t.login('quinn')).token;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verify = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/verify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.text();
    const kept = Object.fromEntries(
      [...res.headers].filter(([name]) => !['x-request-id', 'date', 'content-length', 'keep-alive', 'connection'].includes(name)),
    );
    return { status: res.status, body: text, headers: kept, requestId: res.headers.get('x-request-id') };
  };

  it('answers a good token by body or bearer exactly as the app does (the same body and headers)', async () => {
    for (const [body, headers] of [
      [JSON.stringify({ username: 'quinn', token }), {}],
      ['', { authorization: `Bearer ${token}` }],
    ] as const) {
      const before = quick;
      const fast = await verify(body, headers);
      expect(quick).toBe(before + 1);
      // An unrelated cookie sends the same request through the whole app.
      const full = await verify(body, { ...headers, cookie: 'unrelated=1' });
      expect(quick).toBe(before + 1);
      expect(fast.status).toBe(200);
      expect(fast).toEqual({ ...full, requestId: fast.requestId });
      expect(fast.requestId).toMatch(/^[\w-]+$/);
      expect(fast.requestId).not.toBe(full.requestId);
    }
  });

  it('leaves every other answer to the app: refusals, bad bodies, browsers, big bodies', async () => {
    const before = quick;
    expect(await verify(JSON.stringify({ token: 'garbage' }))).toMatchObject({ status: 401, body: expect.stringContaining('"verified":false') });
    expect(await verify(JSON.stringify({ username: 'someone-else', token }))).toMatchObject({ status: 401 });
    expect(await verify('{"token": ')).toMatchObject({ status: 400, body: expect.stringContaining('invalid_json') });
    expect(await verify('[1,2]')).toMatchObject({ status: 400 });
    expect(await verify(JSON.stringify({ token, username: 7 }))).toMatchObject({ status: 400 });
    expect(await verify(JSON.stringify({ token }), { origin: 'https://app.example.com' })).toMatchObject({ status: 200 });
    expect(await verify(JSON.stringify({ token, padding: 'x'.repeat(20_000) }))).toMatchObject({ status: 413 });
    expect(quick).toBe(before);
  });
});
