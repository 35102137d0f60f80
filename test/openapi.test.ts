import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ERRORS } from '../src/http/errors';
import { UNAUTHORIZED_CODES } from '../src/http/openapi-guide';
import { answersOf, OPERATIONS } from '../src/http/openapi-operations';
import { gatewayPath, ROUTES } from '../src/http/routes';
import { sqliteStore } from '../src/store/sqlite';
import { ISSUER, makeTestApp } from './helpers/app';

async function document(): Promise<any> {
  const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
  return (await t.call('/openapi.json')).json();
}

/** A schema or answer as written, or what its `$ref` (`#/components/...`) points at. */
function resolve(doc: any, node: any): any {
  if (!node?.$ref) return node;
  return (node.$ref as string)
    .slice(2)
    .split('/')
    .reduce((at, key) => at?.[key], doc);
}

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
      if (op.body) expect(resolve(doc, described.requestBody.content['application/json'].schema).type).toBe('object');
      if (op.body) expect(described.requestBody.required).toBe(op.auth !== 'optional');
    }
    expect(doc.paths['/sessions/{id}'].delete.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: 'NRgvDHZWbaSX8KVuhNfJAQ' },
    ]);
  });

  it('describes each shape once, in components, and refers to it everywhere else', async () => {
    const doc = await document();
    const refs = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === '$ref') refs.add(inner as string);
          else walk(inner);
        }
      }
    };
    walk(doc);
    // Every reference leads somewhere, and every component is used.
    for (const ref of refs) expect(resolve(doc, { $ref: ref }), ref).toBeDefined();
    const components = [
      ...Object.keys(doc.components.schemas).map((name) => `#/components/schemas/${name}`),
      ...Object.keys(doc.components.responses).map((name) => `#/components/responses/${name}`),
    ];
    expect(components.filter((ref) => !refs.has(ref))).toEqual([]);
    // No operation spells a schema out: answers and bodies are references.
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(operations)) {
        expect(op.responses['4XX'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/Refused' });
        expect(op.responses['5XX'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/ServerError' });
        for (const answer of Object.values(op.responses as Record<string, any>)) {
          if (!answer.$ref) expect(Object.keys(answer.content['application/json'].schema)).toEqual(['$ref']);
        }
        if (op.requestBody) expect(Object.keys(op.requestBody.content['application/json'].schema)).toEqual(['$ref']);
      }
    }
    expect(doc.paths['/login'].post.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.paths['/messages'].post.responses['401']).toEqual({ $ref: '#/components/responses/Unauthenticated' });
    // The token pair is one schema that both token answers are made of.
    for (const name of ['LoggedIn', 'Refreshed']) expect(doc.components.schemas[name].allOf).toEqual([{ $ref: '#/components/schemas/TokenPair' }]);
    expect(Object.keys(doc.components.schemas.TokenPair.properties)).toEqual(['tokenType', 'expiresIn', 'refreshToken']);
  });

  it('opens with how to authenticate, and explains every 401 code the API can answer', async () => {
    const { info } = await document();
    const description: string = info.description;
    expect(description).toContain('## How to authenticate');
    expect(description).toContain('`Authorization: Bearer <token>`');
    expect(description).toContain('HttpOnly cookie `gatehouse_token`');
    expect(description).toContain('`POST /token/refresh`');
    const unauthorized = Object.entries(ERRORS).filter(([, entry]) => entry.status === 401);
    expect(unauthorized.length).toBeGreaterThan(5);
    for (const [code] of unauthorized) {
      expect(UNAUTHORIZED_CODES[code], `${code} has a meaning in openapi-guide.ts`).toBeDefined();
      expect(description).toContain(`- \`${code}\`: ${UNAUTHORIZED_CODES[code]}`);
    }
  });

  it('gives each operation a curl command with its method, URL, headers and example body', async () => {
    const doc = await document();
    const curl = (path: string, method: string) => {
      const samples = doc.paths[path][method]['x-codeSamples'];
      expect(samples).toHaveLength(1);
      return samples[0].source as string;
    };
    expect(curl('/login', 'post')).toBe(
      "curl -X POST 'http://localhost:3000/login' \\\n" +
        "  -H 'Content-Type: application/json' \\\n" +
        `  -d '{"username":"arindam369","password":"a long and unusual passphrase"}'`,
    );
    expect(curl('/user/myprofile', 'get')).toBe(`curl 'http://localhost:3000/user/myprofile' \\\n  -H "Authorization: Bearer $TOKEN"`);
    expect(curl('/sessions/{id}', 'delete')).toBe(
      `curl -X DELETE 'http://localhost:3000/sessions/NRgvDHZWbaSX8KVuhNfJAQ' \\\n  -H "Authorization: Bearer $TOKEN"`,
    );
    expect(curl('/logout/all', 'post')).toBe(`curl -X POST 'http://localhost:3000/logout/all' \\\n  -H "Authorization: Bearer $TOKEN"`);
    expect(curl('/messages', 'get')).toBe(`curl 'http://localhost:3000/messages'`);
  });

  it('answers who is logged in without a token: GET /session says nobody, with 200', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    const res = await t.call('/session');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ authenticated: false });
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
