import { hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger';
import { SESSION_PREFIX, userKey } from '../src/core/records';
import { ARGON2_DEFAULTS, ARGON2ID, argon2Hasher } from '../src/hashing/argon2-hasher';
import { makeTestApp, PASSWORD, type TestApp } from './helpers/app';
import { storeFactories } from './helpers/stores';

describe.each(storeFactories)('POST /login on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
    await t.register('arindam369');
  });

  it('answers the tutorial body, a Bearer token, a refresh token and a session cookie', async () => {
    const res = await t.call('/login', { body: { username: 'arindam369', password: PASSWORD } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      message: 'User logged in successfully',
      response: { username: 'arindam369', name: 'Name of arindam369', token: expect.any(String) },
      tokenType: 'Bearer',
      expiresIn: 3600,
      refreshToken: expect.stringMatching(/^[\w-]+\.[\w-]{22}\.[\w-]{43}$/),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toContain(`gatehouse_token=${body.response.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=3600/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('hands the session cookie only to pages it trusts, so a foreign page cannot log a visitor in (login CSRF)', async () => {
    const body = { username: 'arindam369', password: PASSWORD };
    const foreign = await t.call('/login', { body, headers: { origin: 'http://evil.example', 'content-type': 'text/plain' } });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const same = await t.call('/login', { body, headers: { origin: 'http://localhost:3000' } });
    expect(same.headers.get('set-cookie')).toMatch(/^gatehouse_token=/);
  });

  it('issues an RS256 JWT with a kid and the claims iss aud sub sid amr iat exp', async () => {
    const { token } = await t.login('arindam369');
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: 'http://localhost:3000',
      aud: 'gatehouse',
      sub: 'arindam369',
      sid: expect.any(String),
      amr: ['pwd'],
      iat: Math.floor(t.clock.now() / 1000),
      exp: Math.floor(t.clock.now() / 1000) + 3600,
    });
  });

  it('stores one session per login, each with its own id and only a hash of the refresh token', async () => {
    const first = await t.login('arindam369');
    const second = await t.login('arindam369');
    const sessions = await t.store.list(userKey('arindam369').pk, { prefix: SESSION_PREFIX });
    expect(sessions).toHaveLength(2);
    expect(new Set(sessions.map((s) => s.data.sid))).toEqual(new Set([decodeJwt(first.token).sid, decodeJwt(second.token).sid]));
    const stored = JSON.stringify(sessions);
    expect(stored).not.toContain(first.refreshToken.split('.')[2]);
    expect(stored).not.toContain(first.token);
  });

  it('accepts the username in any letter case', async () => {
    const res = await t.call('/login', { body: { username: 'ARINDAM369', password: PASSWORD } });
    expect(res.status).toBe(200);
    expect((await res.json()).response.username).toBe('arindam369');
  });

  it('answers an unknown user and a wrong password alike: status, body and headers', async () => {
    const unknown = await t.call('/login', { body: { username: 'nobody-here', password: PASSWORD } });
    const wrong = await t.call('/login', { body: { username: 'arindam369', password: 'wrong password here' } });
    const malformed = await t.call('/login', { body: { username: 'no spaces allowed', password: PASSWORD } });
    for (const res of [unknown, wrong, malformed]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Wrong username or password', code: 'invalid_credentials' });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const names = (res: Response) => [...res.headers.keys()].filter((h) => h !== 'x-request-id').sort();
    expect(names(unknown)).toEqual(names(wrong));
    expect(names(unknown)).toEqual(names(malformed));
  });

  it.each([
    ['no username', { password: PASSWORD }, 'missing_field', 'username is required'],
    ['no password', { username: 'arindam369' }, 'missing_field', 'password is required'],
    ['a number for a password', { username: 'arindam369', password: 12345678 }, 'invalid_field', 'password must be a string'],
  ])('answers 400 for %s', async (_label, body, code, message) => {
    const res = await t.call('/login', { body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code, message });
  });

  it("logs in a user whose hash is the tutorials' bcrypt, and upgrades it to Argon2id", async () => {
    t = await makeTestApp((now) => factory.make(now), { hasher: argon2Hasher(ARGON2_DEFAULTS) });
    const legacy = bcrypt.hashSync('abc#123'.trim(), 8);
    expect(legacy).toMatch(/^\$2[ab]\$08\$/);
    await t.store.put({
      ...userKey('tutorial'),
      data: { username: 'tutorial', name: 'Tutorial User', passwordHash: legacy, createdAt: new Date().toISOString() },
    });
    expect((await t.call('/login', { body: { username: 'tutorial', password: 'abc#12' } })).status).toBe(401);
    expect((await t.store.get(userKey('tutorial')))?.data.passwordHash).toBe(legacy);

    const res = await t.call('/login', { body: { username: 'tutorial', password: 'abc#123' } });
    expect(res.status).toBe(200);
    const upgraded = String((await t.store.get(userKey('tutorial')))?.data.passwordHash);
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await t.call('/login', { body: { username: 'tutorial', password: 'abc#123' } })).status).toBe(200);
  });

  it("accepts the tutorials' untrimmed input for a password hashed trimmed", async () => {
    await t.store.put({
      ...userKey('spaces'),
      data: { username: 'spaces', name: 'S', passwordHash: bcrypt.hashSync('pass word', 8), createdAt: '2023-01-01T00:00:00.000Z' },
    });
    expect((await t.call('/login', { body: { username: 'spaces', password: ' pass word ' } })).status).toBe(200);
  });

  it.each([
    ['weaker parameters', () => argon2Hasher({ memoryCost: 4096, timeCost: 1, parallelism: 1 }).hash(PASSWORD)],
    ['more passes', () => argon2Hasher({ ...ARGON2_DEFAULTS, timeCost: 3 }).hash(PASSWORD)],
    ['the Argon2i variant', () => hash(PASSWORD, { ...ARGON2_DEFAULTS, algorithm: 1 })],
    ['the Argon2d variant', () => hash(PASSWORD, { ...ARGON2_DEFAULTS, algorithm: 0 })],
    ['Argon2 version 1.0', () => hash(PASSWORD, { ...ARGON2_DEFAULTS, algorithm: ARGON2ID, version: 0 })],
  ])('re-hashes an Argon2 hash made with %s', async (_label, make) => {
    t = await makeTestApp((now) => factory.make(now), { hasher: argon2Hasher(ARGON2_DEFAULTS) });
    const old = await make();
    expect(old).not.toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await t.store.put({ ...userKey('oldhash'), data: { username: 'oldhash', name: 'W', passwordHash: old, createdAt: '2024-01-01T00:00:00.000Z' } });
    expect((await t.call('/login', { body: { username: 'oldhash', password: PASSWORD } })).status).toBe(200);
    const stored = String((await t.store.get(userKey('oldhash')))?.data.passwordHash);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // The new hash is the current kind: the next login keeps it as it is.
    expect((await t.call('/login', { body: { username: 'oldhash', password: PASSWORD } })).status).toBe(200);
    expect(String((await t.store.get(userKey('oldhash')))?.data.passwordHash)).toBe(stored);
  });

  it('answers a bcrypt hash of a cost outside 4–14, or a hash it cannot read, like a wrong password, and logs it', async () => {
    const warnings: [string, unknown][] = [];
    const logger = { ...silentLogger, warn: (message: string, fields?: unknown) => void warnings.push([message, fields]) };
    const logged = await makeTestApp((now) => factory.make(now), { hasher: argon2Hasher(ARGON2_DEFAULTS, { logger }) });
    await logged.register('arindam369');
    const answer = async (res: Response) => [res.status, await res.json(), [...res.headers.keys()].filter((h) => h !== 'x-request-id').sort()];
    const wrong = await answer(await logged.call('/login', { body: { username: 'arindam369', password: 'wrong password here' } }));
    const base = bcrypt.hashSync(PASSWORD, 4);
    const withCost = (cost: string) => base.replace(/^\$2([aby])\$04\$/, `$$2$1$$${cost}$$`);
    const stored: [string, string, unknown][] = [
      ['cost99', withCost('99'), { kind: 'bcrypt', reason: 'cost 99 is outside 4–14' }],
      ['cost03', withCost('03'), { kind: 'bcrypt', reason: 'cost 03 is outside 4–14' }],
      ['cost31', withCost('31'), { kind: 'bcrypt', reason: 'cost 31 is outside 4–14' }],
      ['cost15', withCost('15'), { kind: 'bcrypt', reason: 'cost 15 is outside 4–14' }],
      ['badargon', '$argon2id$v=19$m=19456,t=2,p=1$not-a-salt$not-a-hash', { kind: 'argon2', reason: 'verification failed' }],
      ['plain', 'plaintext?', { kind: 'unknown', reason: 'not a hash this service knows' }],
    ];
    for (const [username, passwordHash] of stored) {
      await logged.store.put({ ...userKey(username), data: { username, name: 'U', passwordHash, createdAt: '2024-01-01T00:00:00.000Z' } });
      expect(await answer(await logged.call('/login', { body: { username, password: PASSWORD } })), username).toEqual(wrong);
    }
    expect(warnings).toEqual(stored.map(([, , fields]) => ['unusable password hash', fields]));
    await logged.store.put({ ...userKey('cost04'), data: { username: 'cost04', name: 'U', passwordHash: base, createdAt: '2024-01-01T00:00:00.000Z' } });
    expect((await logged.call('/login', { body: { username: 'cost04', password: PASSWORD } })).status).toBe(200);
  });

  it('answers 401 for a stored hash it cannot read, never 500', async () => {
    await t.store.put({ ...userKey('broken'), data: { username: 'broken', name: 'B', passwordHash: 'plaintext?', createdAt: '2024-01-01T00:00:00.000Z' } });
    const res = await t.call('/login', { body: { username: 'broken', password: 'plaintext?' } });
    expect(res.status).toBe(401);
  });
});
