import { beforeEach, describe, expect, it } from 'vitest';
import { removeUser } from '../src/core/account-removal';
import { passkeysFor } from '../src/core/webauthn';
import { bearer, ISSUER, makeTestApp, type TestApp } from './helpers/app';
import { addPasskey, loginOptions, PAGE_ORIGIN, recordingLogger, registrationOptions, storedPasskeys } from './helpers/passkeys';
import { SoftAuthenticator } from './helpers/soft-authenticator';
import { storeFactories } from './helpers/stores';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(storeFactories)('adding and removing passkeys on $name', (factory) => {
  let t: TestApp;
  let ada: string;
  let bob: string;
  let device: SoftAuthenticator;
  let logger: ReturnType<typeof recordingLogger>;
  beforeEach(async () => {
    logger = recordingLogger();
    t = await makeTestApp((now) => factory.make(now), { logger, settings: { passkeys: { ...passkeysFor(ISSUER), maxPerUser: 3 } } });
    await t.register('ada');
    await t.register('bob');
    ada = (await t.login('ada')).token;
    bob = (await t.login('bob')).token;
    device = new SoftAuthenticator(PAGE_ORIGIN);
  });
  const register = (token: string, body: unknown) => t.call('/passkeys/register', { body, headers: bearer(token) });
  const list = async (token: string) => (await (await t.call('/passkeys', { headers: bearer(token) })).json()).passkeys as any[];

  it('adds a passkey: options for this account, then 201 with its id, name and date; listed; stored under the user with its lookup', async () => {
    const options = await registrationOptions(t, ada);
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Gatehouse' },
      user: { name: 'ada', displayName: 'Name of ada' },
      attestation: 'none',
      excludeCredentials: [],
      timeout: 300_000,
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    expect(options.challenge).toMatch(/^[\w-]{43}$/);
    // The user handle is random, never the username.
    expect(Buffer.from(options.user.id, 'base64url')).toHaveLength(32);
    expect(options.user.id).not.toBe(Buffer.from('ada').toString('base64url'));
    expect(options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-8, -7, -257]);

    const response = await device.create(options);
    const res = await register(ada, { response, name: ' Laptop ' });
    expect(res.status).toBe(201);
    const added = await res.json();
    expect(added).toEqual({ id: response.id, name: 'Laptop', createdAt: expect.stringMatching(ISO), synced: false });
    expect(await list(ada)).toEqual([added]);
    expect(await list(bob)).toEqual([]);

    const stored = await storedPasskeys(t, 'ada', [response.id]);
    expect(stored.count).toBe(1);
    expect(stored.owners).toEqual(['ada']);
    expect(stored.records).toEqual([
      expect.objectContaining({ id: response.id, counter: 0, userHandle: options.user.id, publicKey: expect.stringMatching(/^[\w-]+$/) }),
    ]);

    // The next options exclude it, so the browser does not make a second one on this device; no name: "Passkey".
    const next = await registrationOptions(t, ada);
    expect(next.excludeCredentials).toEqual([{ id: response.id, type: 'public-key', transports: ['internal'] }]);
    expect(next.user.id).toBe(options.user.id);
    t.clock.advance(1_000);
    const second = await register(ada, { response: await new SoftAuthenticator(PAGE_ORIGIN).create(next) });
    expect(second.status).toBe(201);
    expect((await second.json()).name).toBe('Passkey');
    expect((await list(ada)).map((p) => p.name)).toEqual(['Laptop', 'Passkey']);
  });

  it('is given only to a login of the last 10 minutes: an older session gets 403 login_too_old, kept through a refresh, and a new login may', async () => {
    const first = await t.login('ada');
    t.clock.advance(10 * 60_000);
    expect((await t.call('/passkeys/register/options', { method: 'POST', headers: bearer(first.token) })).status).toBe(200);
    t.clock.advance(1_000);
    const old = await t.call('/passkeys/register/options', { method: 'POST', headers: bearer(first.token) });
    expect(old.status).toBe(403);
    expect(await old.json()).toEqual({ message: 'Log in again to add a passkey: it needs a login from the last 10 minutes', code: 'login_too_old' });
    // A refresh renews the tokens, not the login.
    const refreshed = await (await t.call('/token/refresh', { body: { refreshToken: first.refreshToken } })).json();
    expect((await t.call('/passkeys/register/options', { method: 'POST', headers: bearer(refreshed.response.token) })).status).toBe(403);
    // Nothing was stored for the refused ones; a new login adds the passkey.
    expect(await list(first.token)).toEqual([]);
    const fresh = (await t.login('ada')).token;
    const res = await register(fresh, { response: await device.create(await registrationOptions(t, fresh)), name: 'Phone' });
    expect(res.status).toBe(201);
    expect((await list(fresh)).map((p) => p.name)).toEqual(['Phone']);
  });

  it('needs a valid token, and from a cookie a page of a trusted origin', async () => {
    for (const [method, path] of [
      ['POST', '/passkeys/register/options'],
      ['POST', '/passkeys/register'],
      ['GET', '/passkeys'],
      ['DELETE', '/passkeys/abc'],
    ]) {
      const res = await t.call(path!, { method: method! });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    const { cookie } = await t.login('ada');
    const foreign = await t.call('/passkeys/register/options', { method: 'POST', headers: { cookie, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).code).toBe('forbidden_origin');
    const own = await t.call('/passkeys/register/options', { method: 'POST', headers: { cookie, origin: ISSUER } });
    expect(own.status).toBe(200);
  });

  it.each([
    ['another origin', { origin: 'https://evil.example' }, /origin "https:\/\/evil\.example"/],
    ['another RP ID', { rpId: 'evil.example' }, /RP ID/],
    ['no user verification', { userVerified: false }, /User verification .*required/],
    ['the wrong ceremony type', { type: 'webauthn.get' }, /type/],
  ])('refuses a response with %s: 400 passkey_not_verified, nothing stored, the challenge spent', async (_case, ceremony, reason) => {
    const options = await registrationOptions(t, ada);
    const bad = await register(ada, { response: await device.create(options, ceremony) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'The passkey could not be verified; start again', code: 'passkey_not_verified' });
    expect(await storedPasskeys(t, 'ada')).toMatchObject({ records: [], count: 0 });
    expect(logger.lines.filter((l) => l.message === 'passkey registration refused').map((l) => String(l.fields?.reason))).toEqual([
      expect.stringMatching(reason),
    ]);
    // A right answer to the same challenge comes too late: it was spent.
    const late = await register(ada, { response: await device.create(options) });
    expect(late.status).toBe(400);
    expect(await list(ada)).toEqual([]);
  });

  it('takes each challenge once, for five minutes, from the session and for the purpose it was issued to', async () => {
    const options = await registrationOptions(t, ada);
    const response = await device.create(options);
    const [first, replay] = await Promise.all([register(ada, { response }), register(ada, { response })]);
    expect([first.status, replay.status].sort()).toEqual([201, 400]);

    const expiring = await registrationOptions(t, ada);
    t.clock.advance(5 * 60_000 + 1);
    expect((await register(ada, { response: await device.create(expiring) })).status).toBe(400);

    const justInTime = await registrationOptions(t, ada);
    t.clock.advance(5 * 60_000 - 1_000);
    expect((await register(ada, { response: await new SoftAuthenticator(PAGE_ORIGIN).create(justInTime) })).status).toBe(201);

    const otherSession = (await t.login('ada')).token;
    const forAnotherSession = await device.create(await registrationOptions(t, ada));
    expect((await register(otherSession, { response: forAnotherSession })).status).toBe(400);
    const forAda = await device.create(await registrationOptions(t, ada));
    expect((await register(bob, { response: forAda })).status).toBe(400);

    // A login challenge answered as if it were a registration.
    const login = await loginOptions(t);
    const crossed = await device.create({ ...(await registrationOptions(t, ada)), challenge: login.challenge });
    expect((await register(ada, { response: crossed })).status).toBe(400);
    expect((await list(ada)).length).toBe(2);
    expect((await list(bob)).length).toBe(0);
  });

  it('answers malformed bodies with 400 and a stable code, never a 500', async () => {
    const options = await registrationOptions(t, ada);
    const good = await device.create(options);
    const cases: [unknown, string, string?][] = [
      ['{"response":', 'invalid_json'],
      [{}, 'missing_field', 'response'],
      [{ response: 'a string' }, 'invalid_field', 'response'],
      [{ response: { ...good, type: 'password' } }, 'invalid_field', 'response'],
      [{ response: { ...good, response: { ...good.response, clientDataJSON: 'not+base64url' } } }, 'invalid_field', 'response'],
      [{ response: good, name: 'x'.repeat(65) }, 'invalid_field', 'name'],
      [{ response: good, name: 'tab\there' }, 'invalid_field', 'name'],
      [{ response: { ...good, response: { ...good.response, clientDataJSON: Buffer.from('not json').toString('base64url') } } }, 'passkey_not_verified'],
      [{ response: { ...good, response: { ...good.response, attestationObject: 'AAAA' } } }, 'passkey_not_verified'],
    ];
    for (const [body, code, field] of cases) {
      const res = await register(ada, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await res.json()).toMatchObject({ code, ...(field ? { field } : {}) });
    }
    expect(await storedPasskeys(t, 'ada')).toMatchObject({ records: [], count: 0 });
  });

  it('registers an authenticator once: the same credential again, to this account or another, is 409 passkey_exists', async () => {
    const { res, response } = await addPasskey(t, ada, device);
    expect(res.status).toBe(201);
    const credential = device.credentials.get(response.id)!;
    for (const token of [ada, bob]) {
      const again = await addPasskey(t, token, device, { ceremony: { reuse: credential } });
      expect(again.res.status).toBe(409);
      expect((await again.res.json()).code).toBe('passkey_exists');
    }
    expect(await storedPasskeys(t, 'ada', [response.id])).toMatchObject({ count: 1, owners: ['ada'] });
    expect(await storedPasskeys(t, 'bob')).toMatchObject({ records: [], count: 0 });
  });

  it('caps the passkeys of an account, also when registrations race', async () => {
    expect((await addPasskey(t, ada, new SoftAuthenticator(PAGE_ORIGIN))).res.status).toBe(201);
    // Two left; three ceremonies begun before any finishes.
    const begun = await Promise.all([0, 1, 2].map(async () => new SoftAuthenticator(PAGE_ORIGIN).create(await registrationOptions(t, ada))));
    const finished = await Promise.all(begun.map((response) => register(ada, { response })));
    expect(finished.map((r) => r.status).sort()).toEqual([201, 201, 409]);
    expect((await finished.find((r) => r.status === 409)!.json()).code).toBe('passkey_limit');
    expect(await storedPasskeys(t, 'ada')).toMatchObject({ count: 3 });
    const full = await t.call('/passkeys/register/options', { method: 'POST', headers: bearer(ada) });
    expect(full.status).toBe(409);
    expect((await full.json()).code).toBe('passkey_limit');

    const [oldest] = await list(ada);
    expect((await t.call(`/passkeys/${oldest.id}`, { method: 'DELETE', headers: bearer(ada) })).status).toBe(200);
    expect((await addPasskey(t, ada, new SoftAuthenticator(PAGE_ORIGIN))).res.status).toBe(201);
  });

  it("removes a passkey with its lookup; 404 for an unknown id or another user's", async () => {
    const { response } = await addPasskey(t, ada, device, { name: 'Phone' });
    const theirs = await t.call(`/passkeys/${response.id}`, { method: 'DELETE', headers: bearer(bob) });
    expect(theirs.status).toBe(404);
    expect(await theirs.json()).toEqual({ message: 'Passkey not found', code: 'not_found' });
    expect((await t.call('/passkeys/nothing-like-it', { method: 'DELETE', headers: bearer(ada) })).status).toBe(404);

    const removed = await t.call(`/passkeys/${response.id}`, { method: 'DELETE', headers: bearer(ada) });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ message: 'Passkey removed' });
    expect(await list(ada)).toEqual([]);
    expect(await storedPasskeys(t, 'ada', [response.id])).toEqual({ records: [], count: 0, owners: [undefined] });
    expect((await t.call(`/passkeys/${response.id}`, { method: 'DELETE', headers: bearer(ada) })).status).toBe(404);
  });

  it('removing the account removes its passkeys and their lookups; the name made again starts with none', async () => {
    const first = await addPasskey(t, ada, device);
    const second = await addPasskey(t, ada, new SoftAuthenticator(PAGE_ORIGIN));
    const ids = [first.response.id, second.response.id];
    expect(await removeUser(t.store, 'ada')).toMatchObject({ user: true, passkeys: 2 });
    expect(await storedPasskeys(t, 'ada', ids)).toEqual({ records: [], count: 0, owners: [undefined, undefined] });
    expect(await removeUser(t.store, 'ada')).toMatchObject({ user: false, passkeys: 0 });

    await t.register('ada');
    const again = (await t.login('ada')).token;
    expect(await list(again)).toEqual([]);
    expect((await registrationOptions(t, again)).excludeCredentials).toEqual([]);
  });
});
