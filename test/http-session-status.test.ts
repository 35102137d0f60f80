import { beforeEach, describe, expect, it } from 'vitest';
import { bearer, ISSUER, makeTestApp, type TestApp } from './helpers/app';
import { storeFactories } from './helpers/stores';

const NOBODY = { authenticated: false };

describe.each(storeFactories)('GET /session (who is logged in) on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    await t.register('alice', undefined, { email: 'alice@example.com' });
  });
  const session = async (headers: Record<string, string> = {}) => {
    const res = await t.call('/session', { headers });
    return { status: res.status, body: await res.json(), cookie: res.headers.get('set-cookie'), cache: res.headers.get('cache-control') };
  };

  it('answers 200 {authenticated:false} to a request without a token, and sets no cookie', async () => {
    expect(await session()).toMatchObject({ status: 200, body: NOBODY, cookie: null, cache: 'no-store' });
  });

  it("answers the profile of a valid bearer token's or cookie's user, the same as /user/myprofile", async () => {
    const { token, cookie } = await t.login('alice');
    const profile = await (await t.call('/user/myprofile', { headers: bearer(token) })).json();
    expect(profile).toMatchObject({ username: 'alice', email: 'alice@example.com' });
    expect(await session(bearer(token))).toMatchObject({ status: 200, body: { authenticated: true, user: profile }, cookie: null, cache: 'no-store' });
    expect((await session({ cookie })).body).toEqual({ authenticated: true, user: profile });
  });

  it('says nobody, and nothing about the user, for a token that is garbage, expired, logged out, or of a user whose sessions all ended', async () => {
    const first = await t.login('alice');
    const second = await t.login('alice');
    expect((await session(bearer('not-a-token'))).body).toEqual(NOBODY);

    expect((await t.call('/logout', { body: { token: first.token } })).status).toBe(200);
    expect(await session(bearer(first.token))).toMatchObject({ status: 200, body: NOBODY, cookie: null });

    expect((await t.call('/logout/all', { method: 'POST', headers: bearer(second.token) })).status).toBe(200);
    expect((await session(bearer(second.token))).body).toEqual(NOBODY);

    const third = await t.login('alice');
    t.clock.advance(3601_000);
    expect((await session(bearer(third.token))).body).toEqual(NOBODY);
  });

  it('clears a session cookie that is no longer valid, so the browser stops sending it', async () => {
    const { token, cookie } = await t.login('alice');
    expect((await t.call('/logout', { body: { token } })).status).toBe(200);
    const answer = await session({ cookie, origin: ISSUER });
    expect(answer.body).toEqual(NOBODY);
    expect(answer.cookie).toMatch(/^gatehouse_token=;.*Max-Age=0/);
  });
});
