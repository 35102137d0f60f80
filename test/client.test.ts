import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  type EmailSent,
  type EmailVerified,
  type ForgotAnswer,
  GatehouseError,
  type LoggedIn,
  type Profile,
  type SessionStatus,
} from '../src/client/gatehouse-client';
import { THROTTLE_DEFAULTS } from '../src/core/throttle';
import { sqliteStore } from '../src/store/sqlite';
import { makeTestApp, PASSWORD } from './helpers/app';
import { linkOf, nthMailTo } from './helpers/mailbox';

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

  it('walks the email flows: confirm, resend, change, forgot and reset, with typed answers', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    let token: string | undefined;
    const client = createClient({
      baseUrl: 'http://localhost:3000',
      token: () => token,
      fetch: (input, init) => Promise.resolve(t.app.request(String(input), init as RequestInit)),
    });
    await client.register({ name: 'Mailed', username: 'mailed', password: PASSWORD, email: 'mailed@example.com' });
    token = (await client.login({ username: 'mailed', password: PASSWORD })).response.token;
    const resent = await client.resendVerification();
    expectTypeOf(resent).toEqualTypeOf<EmailSent>();
    const confirmed = await client.verifyEmail(linkOf(await nthMailTo(t.outbox, 'mailed@example.com', 2), 'verify'));
    expectTypeOf(confirmed).toEqualTypeOf<EmailVerified>();
    expect(confirmed).toEqual({ message: 'Email address verified', email: 'mailed@example.com' });
    expect((await client.profile()).emailVerified).toBe(true);
    expect(await client.changeEmail({ email: 'new@example.com', currentPassword: 'wrong password here' }).catch((error: unknown) => error)).toMatchObject({
      status: 403,
      code: 'wrong_password',
      field: 'currentPassword',
    });
    expect((await client.changeEmail({ email: 'new@example.com', currentPassword: PASSWORD })).email).toBe('new@example.com');
    await client.verifyEmail(linkOf(await nthMailTo(t.outbox, 'new@example.com', 1), 'verify'));
    token = undefined;
    const asked = await client.forgotPassword({ email: 'new@example.com' });
    expectTypeOf(asked).toEqualTypeOf<ForgotAnswer>();
    const reset = await client.resetPassword({
      token: linkOf(await nthMailTo(t.outbox, 'new@example.com', 2), 'reset'),
      newPassword: 'the new long passphrase',
    });
    expect(reset.ended).toBe(1);
    expect(await client.resetPassword({ token: 'garbage', newPassword: 'the new long passphrase' }).catch((error: unknown) => error)).toMatchObject({
      status: 400,
      code: 'invalid_reset_token',
      field: 'token',
    });
  });

  it('reports a server it cannot reach as a network error', async () => {
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(client.messages()).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});
