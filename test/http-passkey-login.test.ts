import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { removeUser } from '../src/core/account-removal';
import { passkeyKey, userKey } from '../src/core/records';
import { THROTTLE_DEFAULTS } from '../src/core/throttle';
import { sha256 } from '../src/core/token-crypto';
import { bearer, makeTestApp, type TestApp } from './helpers/app';
import { addPasskey, loginOptions, PAGE_ORIGIN, passkeyLogin, recordingLogger, sessionCount } from './helpers/passkeys';
import { SoftAuthenticator, type SoftCredential } from './helpers/soft-authenticator';
import { storeFactories } from './helpers/stores';

const REFUSED = { message: 'That passkey was not accepted', code: 'invalid_passkey' };

describe.each(storeFactories)('logging in with a passkey on $name', (factory) => {
  let t: TestApp;
  let logger: ReturnType<typeof recordingLogger>;
  let device: SoftAuthenticator;
  let adaKey: SoftCredential;
  let bobKey: SoftCredential;
  beforeEach(async () => {
    logger = recordingLogger();
    t = await makeTestApp((now) => factory.make(now), { logger, settings: { throttle: { ...THROTTLE_DEFAULTS, clientLoginsPer10Min: 40 } } });
    device = new SoftAuthenticator(PAGE_ORIGIN);
    for (const name of ['ada', 'bob']) {
      await t.register(name);
      const { res, response } = await addPasskey(t, (await t.login(name)).token, device, { name: `${name}'s laptop` });
      expect(res.status).toBe(201);
      if (name === 'ada') adaKey = device.credentials.get(response.id)!;
      else bobKey = device.credentials.get(response.id)!;
    }
  });
  const refusedWith = async (res: Response, reason: RegExp) => {
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(REFUSED);
    expect(res.headers.get('set-cookie')).toBeNull();
    // What the operator is told: the reason of the refusal (or, for a counter, the warning).
    const last = logger.lines.filter((l) => l.message !== 'request').at(-1);
    expect(`${last?.message}: ${last?.fields?.reason ?? ''}`).toMatch(reason);
  };

  it("logs in with a username: only that account's passkeys are allowed; the answer is /login's, with amr webauthn, and the counter is kept", async () => {
    const options = await loginOptions(t, 'Ada');
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required', timeout: 300_000 });
    expect(options.allowCredentials).toEqual([{ id: adaKey.id, type: 'public-key', transports: ['internal'] }]);
    const before = await sessionCount(t, 'ada');
    const res = await passkeyLogin(t, await device.get(options));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      message: 'User logged in successfully',
      response: { username: 'ada', name: 'Name of ada', token: expect.any(String) },
      tokenType: 'Bearer',
      expiresIn: 3600,
      refreshToken: expect.any(String),
    });
    expect(res.headers.get('set-cookie')).toContain(`gatehouse_token=${body.response.token}`);
    expect(decodeJwt(body.response.token)).toMatchObject({ sub: 'ada', amr: ['webauthn'] });
    expect(await (await t.call('/verify', { body: { token: body.response.token } })).json()).toMatchObject({
      verified: true,
      username: 'ada',
      amr: ['webauthn'],
    });
    expect(await (await t.call('/user/myprofile', { headers: bearer(body.response.token) })).json()).toMatchObject({ username: 'ada', amr: ['webauthn'] });
    expect(await sessionCount(t, 'ada')).toBe(before + 1);
    const stored = await t.store.get<{ counter: number; lastUsedAt: string }>(passkeyKey('ada', await sha256(adaKey.id)));
    expect(stored?.data).toMatchObject({ counter: 1, lastUsedAt: new Date(t.clock.now()).toISOString() });
    const listed = await (await t.call('/passkeys', { headers: bearer(body.response.token) })).json();
    expect(listed.passkeys[0].lastUsedAt).toBe(stored?.data.lastUsedAt);
  });

  it('logs in without a username: any discoverable passkey, and the account is the one it was made for', async () => {
    const options = await loginOptions(t);
    expect(options.allowCredentials).toEqual([]);
    const res = await passkeyLogin(t, await device.get(options, { credential: bobKey }));
    expect(res.status).toBe(200);
    expect((await res.json()).response.username).toBe('bob');
    // Unknown names, and names without passkeys, get options of the same shape with nothing allowed.
    await t.register('carol');
    for (const name of ['carol', 'nobody-here', 'Not A Valid Name!']) {
      const other = await loginOptions(t, name);
      expect(Object.keys(other).sort()).toEqual(Object.keys(options).sort());
      expect(other.allowCredentials).toEqual([]);
    }
  });

  it.each([
    ['another origin', { origin: 'https://evil.example' }, /origin/],
    ['another RP ID', { rpId: 'evil.example' }, /RP ID/],
    ['no user verification', { userVerified: false }, /User verification/],
    ['the wrong ceremony type', { type: 'webauthn.create' }, /type/],
  ])('refuses an assertion with %s: 401 invalid_passkey, no session, the challenge spent', async (_case, ceremony, reason) => {
    const options = await loginOptions(t, 'ada');
    await refusedWith(await passkeyLogin(t, await device.get(options, ceremony)), reason);
    expect(await sessionCount(t, 'ada')).toBe(1);
    await refusedWith(await passkeyLogin(t, await device.get(options)), /challenge/);
  });

  it('refuses a bad signature, tampered authenticator data and an unknown credential', async () => {
    const signed = await device.get(await loginOptions(t, 'ada'));
    const signature = Buffer.from(signed.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 1;
    await refusedWith(await passkeyLogin(t, { ...signed, response: { ...signed.response, signature: signature.toString('base64url') } }), /signature|verif/i);

    const again = await device.get(await loginOptions(t, 'ada'));
    const data = Buffer.from(again.response.authenticatorData, 'base64url');
    data[data.length - 1]! ^= 1;
    await refusedWith(await passkeyLogin(t, { ...again, response: { ...again.response, authenticatorData: data.toString('base64url') } }), /signature|verif/i);

    const stranger = new SoftAuthenticator(PAGE_ORIGIN);
    await stranger.create({ challenge: 'AAAA', rp: { id: 'localhost' }, user: { id: 'AAAA' } });
    await refusedWith(await passkeyLogin(t, await stranger.get(await loginOptions(t))), /unknown credential/);
    expect(await sessionCount(t, 'ada')).toBe(1);
  });

  it('never logs in as another account: not with a credential of someone other than the name typed, nor by naming another user handle', async () => {
    await refusedWith(await passkeyLogin(t, await device.get(await loginOptions(t, 'bob'), { credential: adaKey })), /another user/);
    const bobHandle = bobKey.userHandle;
    await refusedWith(await passkeyLogin(t, await device.get(await loginOptions(t), { credential: adaKey, userHandle: bobHandle })), /user handle/);
    expect(await sessionCount(t, 'bob')).toBe(1);
    expect(await sessionCount(t, 'ada')).toBe(1);
    // Without a user handle at all the credential still names its own account.
    const res = await passkeyLogin(t, await device.get(await loginOptions(t), { credential: adaKey, userHandle: null }));
    expect((await res.json()).response.username).toBe('ada');
  });

  it('takes an assertion once, within five minutes, and only for a login challenge', async () => {
    const assertion = await device.get(await loginOptions(t, 'ada'));
    const results = await Promise.all([passkeyLogin(t, assertion), passkeyLogin(t, assertion), passkeyLogin(t, assertion)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect(await sessionCount(t, 'ada')).toBe(2);

    const expiring = await loginOptions(t, 'ada');
    t.clock.advance(5 * 60_000 + 1);
    await refusedWith(await passkeyLogin(t, await device.get(expiring)), /challenge/);

    const ada = (await t.login('ada')).token;
    const registration = await (await t.call('/passkeys/register/options', { method: 'POST', headers: bearer(ada) })).json();
    await refusedWith(
      await passkeyLogin(t, await device.get({ rpId: 'localhost', challenge: registration.challenge, allowCredentials: [{ id: adaKey.id }] })),
      /challenge/,
    );
  });

  it('refuses a signature counter that does not go up (a cloned key), logged as a warning; the genuine key goes on', async () => {
    expect((await passkeyLogin(t, await device.get(await loginOptions(t, 'ada'), { counter: 7 }))).status).toBe(200);
    for (const counter of [7, 3, 0]) {
      await refusedWith(await passkeyLogin(t, await device.get(await loginOptions(t, 'ada'), { counter })), /counter/);
    }
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatchObject({ message: expect.stringContaining('cloned'), fields: { credential: await sha256(adaKey.id), stored: 7, presented: 7 } });
    // Names are not logged: the credential's key leads to its owner.
    expect(JSON.stringify(logger.lines.filter((l) => l.message !== 'request'))).not.toContain('"ada"');
    expect((await t.store.get<{ counter: number }>(passkeyKey('ada', await sha256(adaKey.id))))?.data.counter).toBe(7);
    expect((await passkeyLogin(t, await device.get(await loginOptions(t, 'ada'), { counter: 8 }))).status).toBe(200);
  });

  it('lets authenticators that keep no counter (always 0) log in again and again', async () => {
    for (let i = 0; i < 3; i++) expect((await passkeyLogin(t, await device.get(await loginOptions(t), { credential: bobKey, counter: 0 }))).status).toBe(200);
  });

  it('refuses a removed passkey, a removed account, and an old credential once the name belongs to a new account', async () => {
    const ada = (await t.login('ada')).token;
    expect((await t.call(`/passkeys/${adaKey.id}`, { method: 'DELETE', headers: bearer(ada) })).status).toBe(200);
    await refusedWith(await passkeyLogin(t, await device.get(await loginOptions(t), { credential: adaKey })), /unknown credential/);

    await removeUser(t.store, 'bob');
    await refusedWith(await passkeyLogin(t, await device.get(await loginOptions(t), { credential: bobKey })), /unknown credential/);

    // A removal cut short after the account went: its passkey records are still there when the
    // name is registered again, and still open nothing.
    const carolDevice = new SoftAuthenticator(PAGE_ORIGIN);
    await t.register('carol');
    await addPasskey(t, (await t.login('carol')).token, carolDevice);
    await t.store.delete(userKey('carol'));
    t.clock.advance(1_000);
    await t.register('carol');
    await refusedWith(await passkeyLogin(t, await carolDevice.get(await loginOptions(t))), /earlier account/);
    expect((await (await t.call('/passkeys', { headers: bearer((await t.login('carol')).token) })).json()).passkeys).toEqual([]);
  });

  it('answers malformed requests with 4xx and a stable code, never a 500', async () => {
    const good = await device.get(await loginOptions(t, 'ada'));
    const cases: [unknown, number, string][] = [
      ['{"response"', 400, 'invalid_json'],
      [{}, 400, 'missing_field'],
      [{ response: [] }, 400, 'invalid_field'],
      [{ response: { ...good, id: '' } }, 400, 'missing_field'],
      [{ response: { ...good, response: { ...good.response, signature: 'é' } } }, 400, 'invalid_field'],
      [{ response: { ...good, response: { ...good.response, clientDataJSON: Buffer.from('{}').toString('base64url') } } }, 401, 'invalid_passkey'],
      [{ response: { ...good, rawId: 'c29tZXRoaW5nIGVsc2U' } }, 401, 'invalid_passkey'],
    ];
    for (const [body, status, code] of cases) {
      const res = await t.call('/passkeys/login', { body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect((await res.json()).code).toBe(code);
    }
    const options = await t.call('/passkeys/login/options', { body: { username: 42 } });
    expect(options.status).toBe(400);
    expect(await options.json()).toMatchObject({ code: 'invalid_field', field: 'username' });
  });

  it("counts login options against the client's login attempts", async () => {
    const limited = await makeTestApp((now) => factory.make(now), { settings: { throttle: { ...THROTTLE_DEFAULTS, clientLoginsPer10Min: 3 } } });
    for (let i = 0; i < 3; i++) expect((await limited.call('/passkeys/login/options', { body: {} })).status).toBe(200);
    const refused = await limited.call('/passkeys/login/options', { body: {} });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await limited.call('/passkeys/login/options', { body: {}, headers: { 'x-test-client': '198.51.100.9' } })).status).toBe(200);
  });
});
