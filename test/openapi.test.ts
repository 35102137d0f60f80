import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { answersOf, OPERATIONS } from '../src/http/openapi';
import { gatewayPath, ROUTES } from '../src/http/routes';
import { sqliteStore } from '../src/store/sqlite';
import { ISSUER, makeTestApp } from './helpers/app';

describe('the OpenAPI description', () => {
  it('describes every route the API serves, and nothing else', () => {
    const api = ROUTES.filter((route) => !('docs' in route)).map((r) => `${r.method} ${r.path}`);
    expect(OPERATIONS.map((op) => `${op.method} ${op.path}`).sort()).toEqual(api.sort());
  });

  it('is served at /openapi.json as OpenAPI 3.1, with every path', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    const res = await t.call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'http://localhost:3000' }]);
    for (const op of OPERATIONS) {
      const described = doc.paths[gatewayPath(op.path)]?.[op.method.toLowerCase()];
      expect(described, `${op.method} ${op.path}`).toBeDefined();
      expect(described.responses['4XX']).toBeDefined();
      const security = { required: [{ bearer: [] }, { cookie: [] }], optional: [{ bearer: [] }, { cookie: [] }, {}], public: [] }[op.auth ?? 'public'];
      expect(described.security, `${op.method} ${op.path}`).toEqual(security);
      if (op.body) expect(described.requestBody.content['application/json'].schema.type).toBe('object');
      if (op.body) expect(described.requestBody.required).toBe(op.auth !== 'optional');
    }
    expect(doc.paths['/sessions/{id}'].delete.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  it('says truly who must bring a token: public routes never ask, protected ones refuse a request without one', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    for (const op of OPERATIONS) {
      const res = await t.call(op.path.replace(':id', 'x'), { method: op.method });
      if (op.auth === 'required') expect(res.status, `${op.method} ${op.path}`).toBe(401);
      if (!op.auth) expect([401, 403], `${op.method} ${op.path}`).not.toContain(res.status);
    }
  });

  it('takes the token of /verify and /logout from the body, a bearer header or the cookie, with no body needed', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    expect((await t.register('ada')).status).toBe(201);
    const sources = async () => {
      const { token, cookie } = await t.login('ada');
      return { body: { body: { token } }, bearer: { headers: { authorization: `Bearer ${token}` } }, cookie: { headers: { cookie, origin: ISSUER } } };
    };
    for (const via of ['body', 'bearer', 'cookie'] as const) {
      const verified = await t.call('/verify', { method: 'POST', ...(await sources())[via] });
      expect(verified.status, `verify by ${via}`).toBe(200);
      expect(((await verified.json()) as { username: string }).username).toBe('ada');
      const logout = await t.call('/logout', { method: 'POST', ...(await sources())[via] });
      expect(logout.status, `logout by ${via}`).toBe(200);
    }
    // Nothing anywhere: verify says the token is missing, logout that nobody is logged in.
    expect((await t.call('/verify', { method: 'POST' })).status).toBe(400);
    expect((await t.call('/logout', { method: 'POST' })).status).toBe(401);
  });

  it('has examples that its own schemas accept', () => {
    let checked = 0;
    for (const op of OPERATIONS) {
      if (op.body) {
        expect(z.safeParse(op.body.schema, op.body.example).success, `${op.method} ${op.path} request example`).toBe(true);
        checked++;
      }
      for (const [status, answer] of Object.entries(answersOf(op))) {
        if (answer.example === undefined) continue;
        const result = z.safeParse(answer.schema, answer.example);
        expect(result.success, `${op.method} ${op.path} ${status}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('serves a docs page from its own origin, with no third-party script', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    const page = await t.call('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/docs/docs.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await t.call('/docs/docs.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("fetch('/openapi.json')");
  });
});
