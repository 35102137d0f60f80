import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { SESSION_PREFIX, sessionKey, userKey } from '../src/core/records';
import { bearer, makeTestApp, PASSWORD, type TestApp } from './helpers/app';
import { storeFactories } from './helpers/stores';

describe.each(storeFactories)('refresh tokens and session control on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    await t.register('alice');
    await t.register('bob');
  });
  const refresh = (refreshToken: unknown) => t.call('/token/refresh', { body: { refreshToken } });
  const verifies = async (token: string) => (await t.call('/verify', { body: { token } })).status === 200;
  const sidOf = (token: string) => String(decodeJwt(token).sid);

  describe('POST /token/refresh', () => {
    it('rotates: a new access token and a new refresh token for the same session', async () => {
      const login = await t.login('alice');
      t.clock.advance(60_000);
      const res = await refresh(login.refreshToken);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toEqual({
        message: 'Token refreshed',
        response: { username: 'alice', token: expect.any(String) },
        tokenType: 'Bearer',
        expiresIn: 3600,
        refreshToken: expect.stringMatching(/^[\w-]+\.[\w-]{22}\.[\w-]{43}$/),
      });
      expect(body.refreshToken).not.toBe(login.refreshToken);
      expect(body.response.token).not.toBe(login.token);
      expect(sidOf(body.response.token)).toBe(sidOf(login.token));
      expect(decodeJwt(body.response.token).iat).toBe(Math.floor(t.clock.now() / 1000));
      expect(res.headers.get('set-cookie')).toContain(`gatehouse_token=${body.response.token}`);
      expect(await verifies(body.response.token)).toBe(true);
      // Stored only as a hash.
      const stored = JSON.stringify(await t.store.get(sessionKey('alice', sidOf(login.token))));
      expect(stored).not.toContain(body.refreshToken.split('.')[2]);
      // The new one rotates in turn.
      expect((await refresh(body.refreshToken)).status).toBe(200);
    });

    it('gives a retry within the grace period the very same new pair (several tabs)', async () => {
      const login = await t.login('alice');
      const results = await Promise.all([refresh(login.refreshToken), refresh(login.refreshToken), refresh(login.refreshToken)]);
      const bodies = await Promise.all(results.map((r) => r.json()));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(new Set(bodies.map((b) => b.refreshToken)).size).toBe(1);
      expect(new Set(bodies.map((b) => b.response.token)).size).toBe(1);
      t.clock.advance(9_000);
      const late = await (await refresh(login.refreshToken)).json();
      expect(late.refreshToken).toBe(bodies[0].refreshToken);
      expect(late.response.token).toBe(bodies[0].response.token);
    });

    it('ends the whole session when a spent refresh token comes back later', async () => {
      const login = await t.login('alice');
      const next = await (await refresh(login.refreshToken)).json();
      t.clock.advance(11_000);
      const reuse = await refresh(login.refreshToken);
      expect(reuse.status).toBe(401);
      expect(await reuse.json()).toEqual({ message: 'Refresh token already used; the session has been ended', code: 'refresh_token_reused' });
      // Everything of that session is dead: the old and new access tokens, the new refresh token.
      expect(await verifies(login.token)).toBe(false);
      expect(await verifies(next.response.token)).toBe(false);
      expect((await refresh(next.refreshToken)).status).toBe(401);
      expect(await t.store.get(sessionKey('alice', sidOf(login.token)))).toBeUndefined();
    });

    it('refuses unknown, malformed, logged-out and other-session refresh tokens without ending anything', async () => {
      const login = await t.login('alice');
      const other = await t.login('alice');
      const [owner, sid] = login.refreshToken.split('.');
      const forged = `${owner}.${sid}.${'A'.repeat(43)}`;
      for (const token of [forged, 'garbage', login.token, `${owner}.${sid}`, 'x'.repeat(300)]) {
        const res = await refresh(token);
        expect(res.status).toBe(401);
        expect((await res.json()).code).toBe('invalid_refresh_token');
      }
      // Someone who knows a session id cannot end it with a made-up secret.
      expect(await verifies(login.token)).toBe(true);
      expect((await t.call('/logout', { method: 'POST', headers: bearer(other.token) })).status).toBe(200);
      expect((await refresh(other.refreshToken)).status).toBe(401);
      expect((await refresh(login.refreshToken)).status).toBe(200);
    });

    it('keeps refresh and access tokens apart: neither works as the other', async () => {
      const login = await t.login('alice');
      const asAccess = await t.call('/user/myprofile', { headers: bearer(login.refreshToken) });
      expect(asAccess.status).toBe(401);
      expect((await asAccess.json()).code).toBe('invalid_token');
      expect((await t.call('/verify', { body: { token: login.refreshToken } })).status).toBe(401);
      const asRefresh = await refresh(login.token);
      expect(asRefresh.status).toBe(401);
      expect((await asRefresh.json()).code).toBe('invalid_refresh_token');
    });

    it("answers 400 for a missing refresh token, and stops at the session's end", async () => {
      expect((await t.call('/token/refresh', { body: {} })).status).toBe(400);
      const login = await t.login('alice');
      t.clock.advance(30 * 86_400 * 1000);
      expect((await refresh(login.refreshToken)).status).toBe(401);
    });
  });

  describe('POST /logout/all', () => {
    it("ends every session of the caller at once, and no one else's", async () => {
      const first = await t.login('alice');
      const second = await t.login('alice');
      const bob = await t.login('bob');
      const res = await t.call('/logout/all', { method: 'POST', headers: bearer(first.token) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Logged out of every session', ended: 2 });
      expect(res.headers.get('set-cookie')).toMatch(/Max-Age=0/);
      for (const token of [first.token, second.token]) {
        expect(await verifies(token)).toBe(false);
        expect((await t.call('/user/myprofile', { headers: bearer(token) })).status).toBe(401);
        expect((await t.call('/messages', { body: { text: 'hi' }, headers: bearer(token) })).status).toBe(401);
      }
      expect((await refresh(second.refreshToken)).status).toBe(401);
      expect(await verifies(bob.token)).toBe(true);
      expect((await t.call('/logout/all', { method: 'POST', headers: bearer(first.token) })).status).toBe(401);
    });
  });

  describe('POST /password', () => {
    it("changes the password and ends every other session, keeping the caller's", async () => {
      const here = await t.login('alice');
      const elsewhere = await t.login('alice');
      const res = await t.call('/password', { body: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, headers: bearer(here.token) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Password changed; every other session has been ended', ended: 1 });
      expect(await verifies(here.token)).toBe(true);
      expect(await verifies(elsewhere.token)).toBe(false);
      expect((await refresh(elsewhere.refreshToken)).status).toBe(401);
      expect((await t.call('/login', { body: { username: 'alice', password: PASSWORD } })).status).toBe(401);
      expect((await t.call('/login', { body: { username: 'alice', password: 'a brand new passphrase' } })).status).toBe(200);
      expect(String((await t.store.get(userKey('alice')))?.data.passwordHash)).toMatch(/^\$argon2id\$/);
    });

    it('refuses a wrong current password (403) and a weak new one (400), changing nothing', async () => {
      const here = await t.login('alice');
      const other = await t.login('alice');
      const wrong = await t.call('/password', {
        body: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
        headers: bearer(here.token),
      });
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toEqual({ message: 'Current password is wrong', code: 'wrong_password', field: 'currentPassword' });
      const weak = await t.call('/password', { body: { currentPassword: PASSWORD, newPassword: 'password1' }, headers: bearer(here.token) });
      expect(weak.status).toBe(400);
      expect(await weak.json()).toMatchObject({ code: 'weak_password', field: 'newPassword' });
      const missing = await t.call('/password', { body: { currentPassword: PASSWORD }, headers: bearer(here.token) });
      expect(await missing.json()).toMatchObject({ code: 'missing_field', message: 'newPassword is required' });
      expect(await verifies(other.token)).toBe(true);
      expect((await t.call('/login', { body: { username: 'alice', password: PASSWORD } })).status).toBe(200);
      expect((await t.call('/password', { body: { currentPassword: PASSWORD, newPassword: 'another one entirely' } })).status).toBe(401);
    });
  });

  describe('GET /sessions and DELETE /sessions/{id}', () => {
    it("lists the caller's sessions with creation, last use and user agent, marking the current one", async () => {
      const phone = await t.call('/login', { body: { username: 'alice', password: PASSWORD }, headers: { 'user-agent': 'Phone/1.0' } });
      const phoneToken = (await phone.json()).response.token as string;
      t.clock.advance(1000);
      const laptop = await t.login('alice');
      await t.login('bob');
      const res = await t.call('/sessions', { headers: bearer(laptop.token) });
      expect(res.status).toBe(200);
      const { sessions } = await res.json();
      expect(sessions).toHaveLength(2);
      const byId = Object.fromEntries(sessions.map((s: { id: string }) => [s.id, s]));
      expect(byId[sidOf(phoneToken)]).toEqual({
        id: sidOf(phoneToken),
        createdAt: new Date(t.clock.now() - 1000).toISOString(),
        lastUsedAt: new Date(t.clock.now() - 1000).toISOString(),
        userAgent: 'Phone/1.0',
        current: false,
      });
      expect(byId[sidOf(laptop.token)].current).toBe(true);
      expect(JSON.stringify(sessions)).not.toMatch(/refresh|hash/i);
    });

    it("ends one session by id, at once; another user's id is not found", async () => {
      const phone = await t.login('alice');
      const laptop = await t.login('alice');
      const bob = await t.login('bob');
      const res = await t.call(`/sessions/${sidOf(phone.token)}`, { method: 'DELETE', headers: bearer(laptop.token) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Session ended' });
      expect(await verifies(phone.token)).toBe(false);
      expect(await verifies(laptop.token)).toBe(true);
      for (const id of [sidOf(phone.token), sidOf(bob.token), 'not-a-session-id', '..%2F..%2Fetc']) {
        const missing = await t.call(`/sessions/${id}`, { method: 'DELETE', headers: bearer(laptop.token) });
        expect(missing.status).toBe(404);
        expect((await missing.json()).code).toBe('not_found');
      }
      expect(await verifies(bob.token)).toBe(true);
      const self = await t.call(`/sessions/${sidOf(laptop.token)}`, { method: 'DELETE', headers: bearer(laptop.token) });
      expect(self.status).toBe(200);
      expect(self.headers.get('set-cookie')).toMatch(/Max-Age=0/);
      expect(await t.store.list(userKey('alice').pk, { prefix: SESSION_PREFIX })).toEqual([]);
    });

    it('needs a valid token', async () => {
      expect((await t.call('/sessions')).status).toBe(401);
      expect((await t.call('/sessions/abc', { method: 'DELETE' })).status).toBe(401);
    });
  });
});
