import { beforeEach, describe, expect, it } from 'vitest';
import { sessionKey } from '../src/core/records';
import { bearer, makeTestApp, type TestApp } from './helpers/app';
import { claimsOf, foreignKeyToken, headerOf, hmacWithPublicKey, tamper, unsignedToken } from './helpers/forge';
import { storeFactories } from './helpers/stores';

describe.each(storeFactories)('/verify, /logout, /user/myprofile on $name', (factory) => {
  let t: TestApp;
  let alice: { token: string; cookie: string };
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    await t.register('alice', undefined, { email: 'alice@example.com' });
    await t.register('bob');
    alice = await t.login('alice');
  });

  const verify = (body: unknown, headers?: Record<string, string>) => t.call('/verify', { body, ...(headers ? { headers } : {}) });
  const expectRefused = async (res: Response, code: string, message: string) => {
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ verified: false, message, code });
  };

  describe('POST /verify', () => {
    it('verifies the tutorial body {username, token}', async () => {
      const res = await verify({ username: 'alice', token: alice.token });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ verified: true, message: 'success', username: 'alice', amr: ['pwd'], token: alice.token });
    });

    it('takes the token from Authorization: Bearer or from the cookie instead', async () => {
      for (const headers of [bearer(alice.token), { cookie: alice.cookie }]) {
        const res = await verify({}, headers);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ verified: true, username: 'alice' });
      }
      const empty = await t.call('/verify', { method: 'POST', headers: bearer(alice.token) });
      expect(empty.status).toBe(200);
      // The HttpOnly cookie's token is never copied into a body a script could read.
      const byCookie = await (await verify({}, { cookie: alice.cookie })).json();
      expect(byCookie).toEqual({ verified: true, message: 'success', username: 'alice', amr: ['pwd'] });
    });

    it('refuses a token that belongs to another username: "Invalid User"', async () => {
      await expectRefused(await verify({ username: 'bob', token: alice.token }), 'username_mismatch', 'Invalid User');
    });

    it('answers 400 verified:false when no token is given anywhere', async () => {
      const res = await verify({ username: 'alice' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ verified: false, message: 'token is required', code: 'missing_field', field: 'token' });
      const wrongType = await verify({ username: 'alice', token: 42 });
      expect(wrongType.status).toBe(400);
      expect(await wrongType.json()).toMatchObject({ verified: false, code: 'invalid_field' });
      const notJson = await verify('token=abc');
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toEqual({ verified: false, message: 'Request body must be a JSON object', code: 'invalid_json' });
    });

    it('refuses an expired token once the clock passes exp', async () => {
      t.clock.advance(3600 * 1000 - 1000);
      expect((await verify({ token: alice.token })).status).toBe(200);
      t.clock.advance(1000);
      await expectRefused(await verify({ token: alice.token }), 'token_expired', 'Token expired');
    });

    it('refuses forged tokens: alg none, HMAC keyed with the public key, tampered payload, unknown kid, garbage', async () => {
      const claims = claimsOf(alice.token);
      const { kid } = headerOf(alice.token);
      const jwks = (await (await t.call('/.well-known/jwks.json')).json()) as { keys: object[] };
      const forged = [
        unsignedToken(claims),
        await hmacWithPublicKey(claims, jwks.keys[0]!, kid!),
        tamper(alice.token, { sub: 'bob' }),
        tamper(alice.token, { exp: claims.exp! + 86_400 }),
        await foreignKeyToken(claims, kid!),
        await foreignKeyToken(claims, 'unknown-kid-0000'),
        'not.a.jwt',
      ];
      for (const token of forged) await expectRefused(await verify({ token }), 'invalid_token', 'Invalid Token');
      await expectRefused(await verify({}, bearer('x'.repeat(5000))), 'invalid_token', 'Invalid Token');
    });

    it('refuses a token whose session has ended: "User is not authenticated"', async () => {
      await t.store.delete(sessionKey('alice', String(claimsOf(alice.token).sid)));
      await expectRefused(await verify({ token: alice.token }), 'session_revoked', 'User is not authenticated');
    });
  });

  describe('POST /logout', () => {
    it('ends the session: the same token is refused at once by /verify and the profile', async () => {
      const res = await t.call('/logout', { body: { username: 'alice', token: alice.token } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Logged out successfully' });
      // The request carried no cookie: there is none to clear.
      expect(res.headers.get('set-cookie')).toBeNull();
      await expectRefused(await verify({ username: 'alice', token: alice.token }), 'session_revoked', 'User is not authenticated');
      expect((await t.call('/user/myprofile', { headers: bearer(alice.token) })).status).toBe(401);
      expect(await t.store.get(sessionKey('alice', String(claimsOf(alice.token).sid)))).toBeUndefined();
    });

    it('ends only that session; another login of the same user stays valid', async () => {
      const other = await t.login('alice');
      expect((await t.call('/logout', { method: 'POST', headers: bearer(alice.token) })).status).toBe(200);
      expect((await verify({ token: other.token })).status).toBe(200);
    });

    it('logs out by cookie and clears it', async () => {
      const res = await t.call('/logout', { method: 'POST', headers: { cookie: alice.cookie, origin: 'http://localhost:3000' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/gatehouse_token=;.*Max-Age=0/);
      expect((await verify({ token: alice.token })).status).toBe(401);
    });

    it("leaves the visitor's cookie alone when a foreign page posts some other token", async () => {
      const bob = await t.login('bob');
      for (const token of [bob.token, 'garbage']) {
        const res = await t.call('/logout', {
          body: JSON.stringify({ token }),
          headers: { cookie: alice.cookie, origin: 'http://evil.example', 'content-type': 'text/plain' },
        });
        expect(res.status).toBe(403);
        expect((await res.json()).code).toBe('forbidden_origin');
        expect(res.headers.get('set-cookie')).toBeNull();
      }
      expect((await verify({}, { cookie: alice.cookie })).status).toBe(200);
      expect((await verify({ token: bob.token })).status).toBe(200);
    });

    it('clears the cookie only when its own session has ended, at the request of a page it trusts', async () => {
      const same = { cookie: alice.cookie, origin: 'http://localhost:3000' };
      // Another session of the same person, named in the body: that one ends, the cookie's stays.
      const other = await t.login('alice');
      const elsewhere = await t.call('/logout', { body: { token: other.token }, headers: same });
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.headers.get('set-cookie')).toBeNull();
      expect((await verify({ token: other.token })).status).toBe(401);
      expect((await verify({}, { cookie: alice.cookie })).status).toBe(200);
      // Some other, made-up token with the cookie: refused, and the cookie stays.
      const garbage = await t.call('/logout', { body: { token: 'garbage' }, headers: same });
      expect(garbage.status).toBe(401);
      expect(garbage.headers.get('set-cookie')).toBeNull();
      // Neither Origin nor Referer: a cookie alone proves no page we trust sent it.
      const bare = await t.call('/logout', { method: 'POST', headers: { cookie: alice.cookie } });
      expect(bare.status).toBe(403);
      expect(bare.headers.get('set-cookie')).toBeNull();
      expect((await verify({}, { cookie: alice.cookie })).status).toBe(200);
      // The cookie's own session: ended, and the cookie cleared; once it is gone, clearing it again is harmless.
      for (const status of [200, 401]) {
        const own = await t.call('/logout', { method: 'POST', headers: same });
        expect(own.status).toBe(status);
        expect(own.headers.get('set-cookie')).toMatch(/gatehouse_token=;.*Max-Age=0/);
      }
    });

    it('answers 401 "User is not authenticated" for a second logout, a bad token, no token, or another user\'s name', async () => {
      expect((await t.call('/logout', { body: { username: 'bob', token: alice.token } })).status).toBe(401);
      expect((await t.call('/logout', { body: { token: alice.token } })).status).toBe(200);
      for (const body of [{ token: alice.token }, { token: 'garbage' }, {}]) {
        const res = await t.call('/logout', { body });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ message: 'User is not authenticated', code: 'not_authenticated' });
      }
    });

    it('refuses a cookie-authenticated logout sent from a foreign page, and keeps the session', async () => {
      const res = await t.call('/logout', { method: 'POST', headers: { cookie: alice.cookie, origin: 'http://evil.example' } });
      expect(res.status).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect((await res.json()).code).toBe('forbidden_origin');
      expect((await verify({ token: alice.token })).status).toBe(200);
      const same = await t.call('/logout', { method: 'POST', headers: { cookie: alice.cookie, origin: 'http://localhost:3000' } });
      expect(same.status).toBe(200);
    });
  });

  describe('GET /user/myprofile', () => {
    it('answers the profile by bearer or cookie, never a hash', async () => {
      for (const headers of [bearer(alice.token), { cookie: alice.cookie }]) {
        const res = await t.call('/user/myprofile', { headers });
        expect(res.status).toBe(200);
        const body = await res.json();
        expect(body).toEqual({
          username: 'alice',
          name: 'Name of alice',
          email: 'alice@example.com',
          emailVerified: false,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          amr: ['pwd'],
          mfa: { totp: false, recoveryCodesLeft: 0 },
        });
        expect(JSON.stringify(body)).not.toMatch(/argon|hash/i);
      }
    });

    it('answers 401 without a token, with a bad one, or after the user is gone', async () => {
      const none = await t.call('/user/myprofile');
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ message: 'User is not authenticated', code: 'missing_token' });
      const bad = await t.call('/user/myprofile', { headers: bearer('nope') });
      expect(bad.status).toBe(401);
      expect((await bad.json()).code).toBe('invalid_token');
      await t.store.delete({ pk: 'USER#alice', sk: 'PROFILE' });
      expect((await t.call('/user/myprofile', { headers: bearer(alice.token) })).status).toBe(401);
    });
  });
});
