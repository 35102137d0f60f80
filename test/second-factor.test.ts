import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { userKey } from '../src/core/records';
import { totpCode } from '../src/core/totp';
import { bearer, makeTestApp, PASSWORD, type TestApp } from './helpers/app';
import { linkOf, nthMailTo } from './helpers/mailbox';
import { storeFactories } from './helpers/stores';
import { wrongTotpCode } from './helpers/totp-codes';

const STEP = 30_000;

describe.each(storeFactories)('two-step verification (TOTP) on $name', (factory) => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    expect((await t.register('tom', PASSWORD, { email: 'tom@example.com' })).status).toBe(201);
    token = (await t.login('tom')).token;
  });

  const post = (path: string, body: unknown, headers = bearer(token)) => t.call(path, { body, headers });
  const passwordStep = async () => {
    const res = await t.call('/login', { body: { username: 'tom', password: PASSWORD } });
    expect(res.status).toBe(200);
    return res;
  };
  /** Turns TOTP on; resolves with the secret and the recovery codes. */
  const enable = async () => {
    const setup = await post('/mfa/totp/setup', { currentPassword: PASSWORD });
    expect(setup.status).toBe(200);
    const { secret, otpauthUrl } = await setup.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toBe(`otpauth://totp/Gatehouse:tom?issuer=Gatehouse&secret=${secret}&algorithm=SHA1&digits=6&period=30`);
    const confirm = await post('/mfa/totp/confirm', { code: totpCode({ secret, now: t.clock.now() }) });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = await confirm.json();
    // The code that confirmed the setup is spent: the next one comes from the next step.
    t.clock.advance(STEP);
    return { secret: secret as string, recoveryCodes: recoveryCodes as string[] };
  };
  const secondStep = (body: Record<string, unknown>) => t.call('/login/mfa', { body });

  it('sets up with the current password, stays off until a right code confirms it, and then gives 10 recovery codes once', async () => {
    const wrong = await post('/mfa/totp/setup', { currentPassword: 'not my password' });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 'wrong_password', field: 'currentPassword' });
    expect(await (await post('/mfa/totp/confirm', { code: '123456' })).json()).toMatchObject({ code: 'mfa_setup_missing' });

    const { secret } = await (await post('/mfa/totp/setup', { currentPassword: PASSWORD })).json();
    // Pending: a login still needs only the password.
    expect((await passwordStep()).headers.get('set-cookie')).toMatch(/gatehouse_token=/);
    const refused = await post('/mfa/totp/confirm', { code: wrongTotpCode(secret, t.clock.now()) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'wrong_mfa_code', field: 'code' });
    expect((await (await t.call('/user/myprofile', { headers: bearer(token) })).json()).mfa).toEqual({ totp: false, recoveryCodesLeft: 0 });

    const confirmed = await post('/mfa/totp/confirm', { code: totpCode({ secret, now: t.clock.now() }) });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes } = await confirmed.json();
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await (await t.call('/user/myprofile', { headers: bearer(token) })).json()).mfa).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect(await (await post('/mfa/totp/setup', { currentPassword: PASSWORD })).json()).toMatchObject({ code: 'mfa_already_enabled' });

    // What is stored: the secret sealed, the recovery codes only as hashes.
    const data = (await t.store.get(userKey('tom')))!.data;
    const stored = JSON.stringify(data);
    expect(stored).not.toContain(secret);
    for (const code of recoveryCodes) expect(stored).not.toContain(code);
    expect(data.totp).toMatchObject({ sealed: { v: 1, kek: 'local' } });
  });

  it('asks for the code after the password: no token, no cookie, then the normal answer with amr pwd+otp', async () => {
    const { secret } = await enable();
    const first = await passwordStep();
    expect(first.headers.get('set-cookie')).toBeNull();
    const step = await first.json();
    expect(step).toEqual({ message: 'Second factor required', mfaRequired: true, mfaToken: expect.stringMatching(/^[\w-]{43}$/), expiresIn: 300 });

    const done = await secondStep({ mfaToken: step.mfaToken, code: totpCode({ secret, now: t.clock.now() }) });
    expect(done.status).toBe(200);
    expect(done.headers.get('set-cookie')).toMatch(/gatehouse_token=/);
    const body = await done.json();
    expect(body).toMatchObject({ message: 'User logged in successfully', response: { username: 'tom' }, tokenType: 'Bearer' });
    expect(decodeJwt(body.response.token).amr).toEqual(['pwd', 'otp']);
    expect(await (await t.call('/verify', { body: { token: body.response.token } })).json()).toMatchObject({ amr: ['pwd', 'otp'] });
    expect(await (await t.call('/user/myprofile', { headers: bearer(body.response.token) })).json()).toMatchObject({ amr: ['pwd', 'otp'] });
    // A refreshed token keeps how the session was authenticated.
    const refreshed = await (await t.call('/token/refresh', { body: { refreshToken: body.refreshToken } })).json();
    expect(decodeJwt(refreshed.response.token).amr).toEqual(['pwd', 'otp']);
    // The token is spent.
    expect(await (await secondStep({ mfaToken: step.mfaToken, code: totpCode({ secret, now: t.clock.now() }) })).json()).toMatchObject({
      code: 'invalid_mfa_token',
    });
  });

  it('accepts one step of drift either way, not two, and each code only once', async () => {
    const { secret } = await enable();
    // Well past the step that confirmed the setup.
    t.clock.advance(3 * STEP);
    const at = (offset: number) => totpCode({ secret, now: t.clock.now() + offset * STEP });
    // Five different codes, so a code outside the window cannot be one inside it.
    while (new Set([-2, -1, 0, 1, 2].map(at)).size < 5) t.clock.advance(STEP);
    const attempt = async (code: string) => secondStep({ mfaToken: (await (await passwordStep()).json()).mfaToken, code });

    expect((await attempt(at(-2))).status).toBe(401);
    expect((await attempt(at(2))).status).toBe(401);
    expect((await attempt(at(-1))).status).toBe(200);
    // The same code again, and any code of an earlier step: refused as spent.
    const replay = await attempt(at(-1));
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ message: 'Wrong code', code: 'invalid_mfa_code' });
    expect((await attempt(at(1))).status).toBe(200);
    expect((await attempt(at(0))).status).toBe(401);
  });

  it('lets an mfaToken live five minutes and take five wrong codes; wrong codes count against the account', async () => {
    const { secret } = await enable();
    const { mfaToken } = await (await passwordStep()).json();
    t.clock.advance(5 * 60_000 + 1);
    expect(await (await secondStep({ mfaToken, code: totpCode({ secret, now: t.clock.now() }) })).json()).toMatchObject({ code: 'invalid_mfa_token' });

    const next = (await (await passwordStep()).json()).mfaToken;
    for (let i = 0; i < 5; i++) {
      const wrong = await secondStep({ mfaToken: next, code: wrongTotpCode(secret, t.clock.now()) });
      expect(await wrong.json()).toMatchObject({ code: 'invalid_mfa_code' });
    }
    const sixth = await secondStep({ mfaToken: next, code: totpCode({ secret, now: t.clock.now() }) });
    expect(sixth.status).toBe(401);
    expect(await sixth.json()).toMatchObject({ code: 'invalid_mfa_token' });
    expect((await t.store.get({ pk: 'THROTTLE#account#tom', sk: 'count' }))?.data).toEqual({ n: 5 });
  });

  it('refuses malformed input with stable codes and writes nothing', async () => {
    await enable();
    const { mfaToken } = await (await passwordStep()).json();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ mfaToken, code: '12345' }, 400, 'invalid_field'],
      [{ mfaToken, code: 'abcdef' }, 400, 'invalid_field'],
      [{ mfaToken, recoveryCode: '!!' }, 400, 'invalid_field'],
      [{ mfaToken, code: '123456', recoveryCode: 'aaaaa-bbbbb' }, 400, 'invalid_field'],
      [{ mfaToken }, 400, 'invalid_field'],
      [{ mfaToken: 'not-a-token', code: '123456' }, 401, 'invalid_mfa_token'],
      [{ mfaToken: 'x'.repeat(43), code: '123456' }, 401, 'invalid_mfa_token'],
    ];
    for (const [body, status, code] of cases) {
      const res = await secondStep(body);
      expect([res.status, (await res.json()).code], JSON.stringify(body)).toEqual([status, code]);
    }
    // None of those used a try of the real token.
    expect(await t.store.get({ pk: `MFA#${await sha(mfaToken)}`, sk: 'ATTEMPTS' })).toBeUndefined();
  });

  it('takes each recovery code once; a new set ends the old one; both need the current password', async () => {
    const { recoveryCodes } = await enable();
    const withRecovery = async (recoveryCode: string) => secondStep({ mfaToken: (await (await passwordStep()).json()).mfaToken, recoveryCode });
    const used = await withRecovery(recoveryCodes[3]!.toUpperCase());
    expect(used.status).toBe(200);
    expect(decodeJwt((await used.json()).response.token).amr).toEqual(['pwd', 'otp']);
    expect((await withRecovery(recoveryCodes[3]!)).status).toBe(401);
    expect((await (await t.call('/user/myprofile', { headers: bearer(token) })).json()).mfa.recoveryCodesLeft).toBe(9);

    expect((await post('/mfa/recovery-codes', { currentPassword: 'nope nope nope' })).status).toBe(403);
    const fresh = await post('/mfa/recovery-codes', { currentPassword: PASSWORD });
    expect(fresh.status).toBe(200);
    const { recoveryCodes: next } = await fresh.json();
    expect((await withRecovery(recoveryCodes[0]!)).status).toBe(401);
    expect((await withRecovery(next[0])).status).toBe(200);
  });

  it('stays on through a password reset by email: the new password still leads to the second step', async () => {
    const { secret } = await enable();
    expect((await t.call('/email/verify', { body: { token: linkOf(await nthMailTo(t.outbox, 'tom@example.com', 1), 'verify') } })).status).toBe(200);
    expect((await t.call('/password/forgot', { body: { username: 'tom' } })).status).toBe(202);
    const reset = linkOf(await nthMailTo(t.outbox, 'tom@example.com', 2), 'reset');
    const newPassword = 'a brand new passphrase 2026';
    expect((await t.call('/password/reset', { body: { token: reset, newPassword } })).status).toBe(200);

    const step = await t.call('/login', { body: { username: 'tom', password: newPassword } });
    expect(step.status).toBe(200);
    const body = await step.json();
    expect(body).toMatchObject({ mfaRequired: true });
    expect(step.headers.get('set-cookie')).toBeNull();
    const done = await secondStep({ mfaToken: body.mfaToken, code: totpCode({ secret, now: t.clock.now() }) });
    expect(done.status).toBe(200);
    expect(decodeJwt((await done.json()).response.token).amr).toEqual(['pwd', 'otp']);
    expect((await t.store.get<any>(userKey('tom')))?.data.totp).toBeDefined();
  });

  it('turns off only with the current password; a password change leaves it on', async () => {
    const { secret } = await enable();
    expect((await post('/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' })).status).toBe(200);
    expect((await (await t.call('/user/myprofile', { headers: bearer(token) })).json()).mfa.totp).toBe(true);

    const off = (currentPassword: string) => t.call('/mfa/totp', { method: 'DELETE', body: { currentPassword }, headers: bearer(token) });
    expect((await off(PASSWORD)).status).toBe(403);
    const done = await off('another long passphrase');
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ message: 'Two-step verification is off; its recovery codes no longer work' });
    expect((await off('another long passphrase')).status).toBe(409);
    const login = await t.call('/login', { body: { username: 'tom', password: 'another long passphrase' } });
    expect((await login.json()).mfaRequired).toBeUndefined();
    const data = (await t.store.get(userKey('tom')))!.data;
    expect(data.totp).toBeUndefined();
    expect(data.recoveryCodes).toBeUndefined();
    expect(JSON.stringify(data)).not.toContain(secret);
  });

  it('cannot finish a second step begun before the password changed', async () => {
    const { secret } = await enable();
    const { mfaToken } = await (await passwordStep()).json();
    expect((await post('/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' })).status).toBe(200);
    const late = await secondStep({ mfaToken, code: totpCode({ secret, now: t.clock.now() }) });
    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ code: 'invalid_mfa_token' });
  });
});

async function sha(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('base64url');
}
