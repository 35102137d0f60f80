import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  type EmailSent,
  type EmailVerified,
  type ForgotAnswer,
  GatehouseError,
  type LoggedIn,
  type LoginAnswer,
  needsSecondFactor,
  type Passkey,
  type PasskeyCreationOptions,
  type Profile,
  type RecoveryCodes,
  type SecondFactorRequired,
  type SessionStatus,
  type TotpSetup,
} from '../src/client/gatehouse-client';
import { THROTTLE_DEFAULTS } from '../src/core/throttle';
import { totpCode } from '../src/core/totp';
import { sqliteStore } from '../src/store/sqlite';
import { makeTestApp, PASSWORD, type TestApp } from './helpers/app';
import { linkOf, nthMailTo } from './helpers/mailbox';
import { PAGE_ORIGIN } from './helpers/passkeys';
import { SoftAuthenticator } from './helpers/soft-authenticator';
import { wrongTotpCode } from './helpers/totp-codes';

/** The typed client over the app in-process, sending whatever token `token` holds at each call. */
const inProcessClient = (t: TestApp, token: () => string | undefined) =>
  createClient({ baseUrl: 'http://localhost:3000', token, fetch: (input, init) => Promise.resolve(t.app.request(String(input), init as RequestInit)) });

describe('the typed client', () => {
  it('runs the whole flow with typed answers, and turns refusals into GatehouseError with their code', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }), { settings: { throttle: { ...THROTTLE_DEFAULTS, failuresPerClient: 2 } } });
    let token: string | undefined;
    const client = inProcessClient(t, () => token);

    expect(await client.register({ name: 'Typed', username: 'typed', password: PASSWORD })).toEqual({
      message: 'User registered successfully',
      user: { username: 'typed', name: 'Typed' },
    });
    const weak = await client.register({ name: 'Weak', username: 'weak', password: 'short' }).catch((error: unknown) => error);
    expect(weak).toMatchObject({ status: 400, code: 'weak_password', field: 'password' });
    expect(await client.currentSession()).toEqual({ authenticated: false });
    const answer = await client.login({ username: 'typed', password: PASSWORD });
    expectTypeOf(answer).toEqualTypeOf<LoginAnswer>();
    if (needsSecondFactor(answer)) throw new Error('no second factor is on yet');
    const login = answer;
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

  it('turns two-step verification on, logs in with a code and with a recovery code, renews the codes and turns it off', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    let token: string | undefined;
    const client = inProcessClient(t, () => token);
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (error: unknown) => (error instanceof GatehouseError ? { status: error.status, code: error.code, field: error.field } : error),
      );
    const passwordStep = async () => {
      const answer = await client.login({ username: 'tess', password: PASSWORD });
      if (!needsSecondFactor(answer)) throw new Error('expected the second step');
      expectTypeOf(answer).toEqualTypeOf<SecondFactorRequired>();
      return answer;
    };
    await client.register({ name: 'Tess', username: 'tess', password: PASSWORD });
    const first = await client.login({ username: 'tess', password: PASSWORD });
    expect(needsSecondFactor(first)).toBe(false);
    token = (first as LoggedIn).response.token;

    expect(await refusal(client.setupTotp({ currentPassword: 'not my password' }))).toEqual({ status: 403, code: 'wrong_password', field: 'currentPassword' });
    const setup = await client.setupTotp({ currentPassword: PASSWORD });
    expectTypeOf(setup).toEqualTypeOf<TotpSetup>();
    expect(setup.otpauthUrl).toBe(`otpauth://totp/Gatehouse:tess?issuer=Gatehouse&secret=${setup.secret}&algorithm=SHA1&digits=6&period=30`);
    const wrong = wrongTotpCode(setup.secret, t.clock.now());
    expect(await refusal(client.confirmTotp({ code: wrong }))).toEqual({ status: 400, code: 'wrong_mfa_code', field: 'code' });
    const confirmed = await client.confirmTotp({ code: totpCode({ secret: setup.secret, now: t.clock.now() }) });
    expectTypeOf(confirmed).toEqualTypeOf<RecoveryCodes>();
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect((await client.profile()).mfa).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect(await refusal(client.setupTotp({ currentPassword: PASSWORD }))).toEqual({ status: 409, code: 'mfa_already_enabled', field: undefined });

    // The password alone now gets the second step: no token.
    token = undefined;
    t.clock.advance(30_000);
    const step = await passwordStep();
    expect(step).toEqual({ message: 'Second factor required', mfaRequired: true, mfaToken: expect.any(String), expiresIn: 300 });
    expect(await refusal(client.loginSecondFactor({ mfaToken: step.mfaToken, code: wrong }))).toEqual({
      status: 401,
      code: 'invalid_mfa_code',
      field: undefined,
    });
    const withCode = await client.loginSecondFactor({ mfaToken: step.mfaToken, code: totpCode({ secret: setup.secret, now: t.clock.now() }) });
    expectTypeOf(withCode).toEqualTypeOf<LoggedIn>();
    token = withCode.response.token;
    expect((await client.verify()).amr).toEqual(['pwd', 'otp']);

    const recoveryCode = confirmed.recoveryCodes[0]!;
    const withRecovery = await client.loginSecondFactor({ mfaToken: (await passwordStep()).mfaToken, recoveryCode });
    expect(withRecovery.response.username).toBe('tess');
    expect(await refusal(client.loginSecondFactor({ mfaToken: (await passwordStep()).mfaToken, recoveryCode }))).toEqual({
      status: 401,
      code: 'invalid_mfa_code',
      field: undefined,
    });
    expect(await refusal(client.loginSecondFactor({ mfaToken: 'x'.repeat(43), code: '123456' }))).toEqual({
      status: 401,
      code: 'invalid_mfa_token',
      field: undefined,
    });
    // @ts-expect-error: a code from the app or a recovery code, never both
    const both = client.loginSecondFactor({ mfaToken: step.mfaToken, code: '123456', recoveryCode });
    expect(await refusal(both)).toEqual({ status: 400, code: 'invalid_field', field: 'code' });
    expect((await client.profile()).mfa).toEqual({ totp: true, recoveryCodesLeft: 9 });

    const renewed = await client.newRecoveryCodes({ currentPassword: PASSWORD });
    expect(renewed.recoveryCodes).toHaveLength(10);
    expect(renewed.recoveryCodes).not.toContain(confirmed.recoveryCodes[1]);
    expect(await refusal(client.loginSecondFactor({ mfaToken: (await passwordStep()).mfaToken, recoveryCode: confirmed.recoveryCodes[1]! }))).toMatchObject({
      code: 'invalid_mfa_code',
    });
    expect((await client.profile()).mfa).toEqual({ totp: true, recoveryCodesLeft: 10 });

    expect(await refusal(client.disableTotp({ currentPassword: 'not my password' }))).toMatchObject({ status: 403, code: 'wrong_password' });
    expect(await client.disableTotp({ currentPassword: PASSWORD })).toEqual({ message: 'Two-step verification is off; its recovery codes no longer work' });
    expect(await refusal(client.newRecoveryCodes({ currentPassword: PASSWORD }))).toMatchObject({ status: 409, code: 'mfa_not_enabled' });
    expect(needsSecondFactor(await client.login({ username: 'tess', password: PASSWORD }))).toBe(false);
    expect((await client.profile()).mfa).toEqual({ totp: false, recoveryCodesLeft: 0 });
  });

  it('walks the email flows: confirm, resend, change, forgot and reset, with typed answers', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    let token: string | undefined;
    const client = inProcessClient(t, () => token);
    await client.register({ name: 'Mailed', username: 'mailed', password: PASSWORD, email: 'mailed@example.com' });
    token = ((await client.login({ username: 'mailed', password: PASSWORD })) as LoggedIn).response.token;
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

  it('adds, lists and removes a passkey, and logs in with it, with typed answers', async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    let token: string | undefined;
    const client = inProcessClient(t, () => token);
    await client.register({ name: 'Keyed', username: 'keyed', password: PASSWORD });
    token = ((await client.login({ username: 'keyed', password: PASSWORD })) as LoggedIn).response.token;
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
