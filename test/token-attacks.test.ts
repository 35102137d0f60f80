import { importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { KEYS_PK, SIGNING_KEY_PREFIX, type SigningKeyRecord } from '../src/core/records';
import { openSecretText } from '../src/core/sealed-secret';
import { signingKeyContext } from '../src/core/secret-contexts';
import { bearer, makeTestApp, type TestApp, testKeyVault } from './helpers/app';
import { claimsOf, foreignKeyToken, headerOf, hmacWithPublicKey, tamper, unsignedToken } from './helpers/forge';
import { storeFactories } from './helpers/stores';

/**
 * Each forged or misused token is refused with 401 and a stable code, by /verify, by the profile
 * and by the message board alike.
 */
describe.each(storeFactories)('token attacks on $name', (factory) => {
  let t: TestApp;
  let alice: { token: string; refreshToken: string };
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    await t.register('alice');
    await t.register('bob');
    alice = await t.login('alice');
  });

  /** Signs arbitrary claims with the server's own current key, as only a key thief could. */
  async function signWithServerKey(claims: JWTPayload): Promise<string> {
    const [item] = await t.store.list<SigningKeyRecord>(KEYS_PK, { prefix: SIGNING_KEY_PREFIX, reverse: true, limit: 1 });
    // The real private key, opened as the server opens it.
    const key = await importJWK(
      JSON.parse(await openSecretText(testKeyVault, item!.data.sealedPrivateJwk!, signingKeyContext(item!.data.kid))) as JWK,
      'RS256',
    );
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: item!.data.kid, typ: 'JWT' }).sign(key);
  }

  async function expectRefused(token: string, code: string, username?: string) {
    const verify = await t.call('/verify', { body: { token, ...(username ? { username } : {}) } });
    expect(verify.status).toBe(401);
    expect(await verify.json()).toMatchObject({ verified: false, code });
    if (username) return;
    for (const res of [
      await t.call('/user/myprofile', { headers: bearer(token) }),
      await t.call('/messages', { body: { text: 'forged' }, headers: bearer(token) }),
    ]) {
      expect(res.status).toBe(401);
      expect((await res.json()).code).toBe(code);
    }
  }

  const now = () => Math.floor(t.clock.now() / 1000);
  const valid = () => claimsOf(alice.token);

  it('accepts the genuine token (the control case)', async () => {
    expect((await t.call('/verify', { body: { token: alice.token } })).status).toBe(200);
    expect((await t.call('/verify', { body: { token: await signWithServerKey(valid()) } })).status).toBe(200);
  });

  it('refuses alg "none"', async () => expectRefused(unsignedToken(valid()), 'invalid_token'));

  it('refuses HS256 signed with the public key', async () => {
    const jwks = await (await t.call('/.well-known/jwks.json')).json();
    await expectRefused(await hmacWithPublicKey(valid(), jwks.keys[0], headerOf(alice.token).kid!), 'invalid_token');
  });

  it('refuses an expired token', async () => {
    await expectRefused(await signWithServerKey({ ...valid(), iat: now() - 7200, exp: now() - 1 }), 'token_expired');
  });

  it('refuses a token whose nbf is in the future', async () => {
    await expectRefused(await signWithServerKey({ ...valid(), nbf: now() + 600 }), 'invalid_token');
  });

  it('refuses a wrong issuer and a wrong audience, even when signed with the real key', async () => {
    await expectRefused(await signWithServerKey({ ...valid(), iss: 'https://evil.example' }), 'invalid_token');
    await expectRefused(await signWithServerKey({ ...valid(), aud: 'another-service' }), 'invalid_token');
  });

  it('refuses a token missing sid or sub', async () => {
    const { sid, ...noSid } = valid();
    await expectRefused(await signWithServerKey(noSid), 'invalid_token');
    const { sub, ...noSub } = valid();
    await expectRefused(await signWithServerKey(noSub), 'invalid_token');
  });

  it('refuses a tampered payload', async () => {
    await expectRefused(tamper(alice.token, { sub: 'bob' }), 'invalid_token');
    await expectRefused(tamper(alice.token, { exp: now() + 10 * 86_400 }), 'invalid_token');
  });

  it('refuses an unknown kid', async () => {
    await expectRefused(await foreignKeyToken(valid(), 'k-unknown-0001'), 'invalid_token');
    await expectRefused(await foreignKeyToken(valid(), '../../etc/passwd'), 'invalid_token');
  });

  it("refuses user A's token presented for username B", async () => {
    await expectRefused(alice.token, 'username_mismatch', 'bob');
  });

  it('refuses a real signature over a session that does not exist (a made-up sid)', async () => {
    await expectRefused(await signWithServerKey({ ...valid(), sid: 'AAAAAAAAAAAAAAAAAAAAAA' }), 'session_revoked');
    await expectRefused(await signWithServerKey({ ...valid(), sub: 'bob' }), 'session_revoked');
  });

  it('refuses a logged-out session', async () => {
    expect((await t.call('/logout', { method: 'POST', headers: bearer(alice.token) })).status).toBe(200);
    await expectRefused(alice.token, 'session_revoked');
  });

  it('refuses a refresh token used as an access token, and the reverse', async () => {
    await expectRefused(alice.refreshToken, 'invalid_token');
    const res = await t.call('/token/refresh', { body: { refreshToken: alice.token } });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('invalid_refresh_token');
  });
});
