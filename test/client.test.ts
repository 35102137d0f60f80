import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  GatehouseError,
  type LoggedIn,
  type Passkey,
  type PasskeyCreationOptions,
  type Profile,
  type SessionStatus,
} from '../src/client/gatehouse-client';
import { THROTTLE_DEFAULTS } from '../src/core/throttle';
import { sqliteStore } from '../src/store/sqlite';
import { makeTestApp, PASSWORD } from './helpers/app';
import { PAGE_ORIGIN } from './helpers/passkeys';
import { SoftAuthenticator } from './helpers/soft-authenticator';

describe('the typed client', () => {
  it('runs the whole flow with typed answers, and turns refusals into GatehouseError with their code', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }), { settings: { throttle: { ...THROTTLE_DEFAULTS, failuresPerClient: 2 } } });
    let token: string | undefined;
    const client = createClient({
      baseUrl: 'http://localhost:3000',
      token: () => token,
      fetch: (input, init) => Promise.resolve(t.app.request(String(input), init as RequestInit)),
    });

    expect(await client.register({ name: 'Typed', username: 'typed', password: PASSWORD })).toEqual({
      message: 'User registered successfully',
      user: { username: 'typed', name: 'Typed' },
    });
    const weak = await client.register({ name: 'Weak', username: 'weak', password: 'short' }).catch((error: unknown) => error);
    expect(weak).toMatchObject({ status: 400, code: 'weak_password', field: 'password' });
    expect(await client.currentSession()).toEqual({ authenticated: false });
    const login = await client.login({ username: 'typed', password: PASSWORD });
    expectTypeOf(login).toEqualTypeOf<LoggedIn>();
    token = login.response.token;
    const profile = await client.profile();
    expectTypeOf(profile).toEqualTypeOf<Profile>();
    expect(profile.username).toBe('typed');
    const current = await client.currentSession();
    expectTypeOf(current).toEqualTypeOf<SessionStatus>();
    expect(current).toEqual({ authenticated: true, user: profile });
    expect((await client.verify()).verified).toBe(true);
    expect((await client.postMessage({ text: 'typed hello' })).item.author).toBe('typed');
    expect((await client.messages()).messages.map((m) => m.text)).toEqual(['typed hello']);
    const { sessions } = await client.sessions();
    expect(sessions).toHaveLength(1);
    const refreshed = await client.refresh(login.refreshToken);
    token = refreshed.response.token;
    expect((await client.logoutAll()).ended).toBe(1);

    const refused = await client.profile().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatehouseError);
    expect(refused).toMatchObject({ status: 401, code: 'session_revoked', message: 'User is not authenticated' });

    token = undefined;
    for (let i = 0; i < 2; i++) await client.login({ username: 'typed', password: 'not the password' }).catch(() => undefined);
    const limited = await client.login({ username: 'typed', password: PASSWORD }).catch((error: unknown) => error);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 30 });
  });

  it('adds, lists and removes a passkey, and logs in with it, with typed answers', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    let token: string | undefined;
    const client = createClient({
      baseUrl: 'http://localhost:3000',
      token: () => token,
      fetch: (input, init) => Promise.resolve(t.app.request(String(input), init as RequestInit)),
    });
    await client.register({ name: 'Keyed', username: 'keyed', password: PASSWORD });
    token = (await client.login({ username: 'keyed', password: PASSWORD })).response.token;
    const device = new SoftAuthenticator(PAGE_ORIGIN);
    const options = await client.passkeyRegistrationOptions();
    expectTypeOf(options).toEqualTypeOf<PasskeyCreationOptions>();
    const added = await client.registerPasskey({ response: await device.create(options), name: 'Laptop' });
    expectTypeOf(added).toEqualTypeOf<Passkey>();
    expect((await client.passkeys()).passkeys.map((p) => p.name)).toEqual(['Laptop']);

    token = undefined;
    const login = await client.passkeyLogin({ response: await device.get(await client.passkeyLoginOptions()) });
    expectTypeOf(login).toEqualTypeOf<LoggedIn>();
    expect(login.response.username).toBe('keyed');
    token = login.response.token;
    expect(await client.removePasskey(added.id)).toEqual({ message: 'Passkey removed' });
    const refused = await client.passkeyLogin({ response: await device.get(await client.passkeyLoginOptions({ username: 'keyed' })) }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 401, code: 'invalid_passkey' });
  });

  it('reports a server it cannot reach as a network error', async () => {
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(client.messages()).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});
