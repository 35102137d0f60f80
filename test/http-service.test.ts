import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/store/sqlite';
import { bearer, makeTestApp, type TestApp } from './helpers/app';
import { testClock } from './helpers/clock';
import { storeFactories } from './helpers/stores';

describe.each(storeFactories)('service routes on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
  });

  it('GET /health answers 200 {status:"ok"}', async () => {
    const res = await t.call('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('publishes the signing key as a JWKS that verifies issued tokens, with no private part', async () => {
    await t.register('alice');
    const { token } = await t.login('alice');
    const res = await t.call('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(secret);
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), {
      issuer: 'http://localhost:3000',
      audience: 'gatehouse',
      currentDate: new Date(t.clock.now()),
    });
    expect(payload.sub).toBe('alice');
  });

  it('serves OpenID discovery pointing at the JWKS', async () => {
    const res = await t.call('/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      issuer: 'http://localhost:3000',
      jwks_uri: 'http://localhost:3000/.well-known/jwks.json',
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('answers unknown paths 404 and wrong methods 405, as JSON with a code', async () => {
    const missing = await t.call('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not found', code: 'not_found' });
    const wrong = await t.call('/login');
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ message: 'GET is not allowed on /login', code: 'method_not_allowed' });
    expect((await t.call('/health', { method: 'DELETE' })).status).toBe(405);
  });

  it('answers CORS preflight on every route, for any origin by default, without credentials', async () => {
    for (const path of ['/register', '/login', '/verify', '/logout', '/user/myprofile', '/health']) {
      const res = await t.call(path, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('sets security headers and a request id on every response, and never caches auth answers', async () => {
    const res = await t.call('/login', { body: { username: 'x', password: 'y' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[\w-]{9,}$/);
    expect((await t.call('/health')).headers.get('x-request-id')).not.toBe(id);
  });
});

describe('CORS with a list of origins', () => {
  it('echoes an allowed origin with credentials, and gives nothing to another', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }), { settings: { corsOrigins: ['https://app.example.com'] } });
    const preflight = (origin: string) => t.call('/login', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks the cookie Secure, with the __Host- prefix, when the issuer is https', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }), { settings: { issuer: 'https://auth.example.com' } });
    await t.register('alice');
    const res = await t.call('/login', { body: { username: 'alice', password: 'correct horse battery staple' } });
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-gatehouse_token=.*; Secure/);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
  });
});

describe('keys and sessions survive a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a token issued before a restart still verifies after it, with the same kid', async () => {
    const file = join(dir, 'auth.db');
    const clock = testClock();
    const first = await makeTestApp(sqliteStore({ file, now: clock.now }), { clock });
    await first.register('alice');
    const { token } = await first.login('alice');
    await first.store.close();

    const second = await makeTestApp(sqliteStore({ file, now: clock.now }), { clock });
    const res = await second.call('/verify', { body: { username: 'alice', token } });
    expect(res.status).toBe(200);
    const jwks = (await (await second.call('/.well-known/jwks.json')).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
    await second.store.close();
  });
});

describe('a store that cannot answer', () => {
  it('gives 503 store_unavailable on every route and on /health, never a crash', async () => {
    const store = sqliteStore({ file: ':memory:' });
    const t = await makeTestApp(store);
    await t.register('alice');
    const { token } = await t.login('alice');
    await store.close();
    const health = await t.call('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable', message: 'Service temporarily unavailable, try again', code: 'store_unavailable' });
    for (const res of [
      await t.call('/login', { body: { username: 'alice', password: 'correct horse battery staple' } }),
      await t.call('/register', { body: { name: 'B', username: 'bob', password: 'correct horse battery staple' } }),
      await t.call('/verify', { body: { token } }),
      await t.call('/user/myprofile', { headers: bearer(token) }),
    ]) {
      expect(res.status).toBe(503);
      expect((await res.json()).code).toBe('store_unavailable');
    }
  });
});
