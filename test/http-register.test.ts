import { beforeEach, describe, expect, it } from 'vitest';
import { emailKey, userKey } from '../src/core/records';
import { ARGON2_DEFAULTS, argon2Hasher } from '../src/hashing/argon2-hasher';
import { makeTestApp, PASSWORD, type TestApp } from './helpers/app';
import { storeFactories } from './helpers/stores';

describe.each(storeFactories)('POST /register on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp((now) => factory.make(now));
  });

  it('answers 201 with the public user, and stores only an Argon2id hash', async () => {
    t = await makeTestApp((now) => factory.make(now), { hasher: argon2Hasher(ARGON2_DEFAULTS) });
    const res = await t.call('/register', { body: { name: 'Arindam Halder', username: 'arindam369', password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ message: 'User registered successfully', user: { username: 'arindam369', name: 'Arindam Halder' } });
    const stored = await t.store.get(userKey('arindam369'));
    expect(stored?.data).toMatchObject({ username: 'arindam369', name: 'Arindam Halder' });
    const hash = String(stored?.data.passwordHash);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
  });

  it('keeps an email when given, and answers it back', async () => {
    const res = await t.register('mail.user', PASSWORD, { email: 'Mail.User@Example.com' });
    expect(res.status).toBe(201);
    expect((await res.json()).user).toEqual({ username: 'mail.user', name: 'Name of mail.user', email: 'mail.user@example.com' });
    expect((await t.store.get(emailKey('mail.user@example.com')))?.data).toEqual({ username: 'mail.user' });
  });

  it('answers 409 "User already exists" for a taken username, in any letter case, and keeps the first', async () => {
    expect((await t.register('alice')).status).toBe(201);
    const again = await t.call('/register', { body: { name: 'Impostor', username: 'ALICE', password: 'another good passphrase' } });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ message: 'User already exists', code: 'user_exists' });
    expect((await t.store.get(userKey('alice')))?.data.name).toBe('Name of alice');
  });

  it('answers 409 for a taken email and writes no half of the new user', async () => {
    expect((await t.register('first', PASSWORD, { email: 'same@example.com' })).status).toBe(201);
    const res = await t.register('second', PASSWORD, { email: 'SAME@example.com' });
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('user_exists');
    expect(await t.store.get(userKey('second'))).toBeUndefined();
  });

  const bad: [string, unknown, number, string, string, string][] = [
    ['missing name', { username: 'bob', password: PASSWORD }, 400, 'missing_field', 'name', 'name is required'],
    ['missing username', { name: 'Bob', password: PASSWORD }, 400, 'missing_field', 'username', 'username is required'],
    ['missing password', { name: 'Bob', username: 'bob' }, 400, 'missing_field', 'password', 'password is required'],
    ['empty username', { name: 'Bob', username: '', password: PASSWORD }, 400, 'missing_field', 'username', 'username is required'],
    ['numeric username', { name: 'Bob', username: 123, password: PASSWORD }, 400, 'invalid_field', 'username', 'username must be a string'],
    ['object password', { name: 'Bob', username: 'bob', password: { $ne: '' } }, 400, 'invalid_field', 'password', 'password must be a string'],
    [
      'username with a space',
      { name: 'Bob', username: 'bob smith', password: PASSWORD },
      400,
      'invalid_field',
      'username',
      "username must be 3–64 characters of a-z, 0-9, '.', '_' or '-'",
    ],
    [
      'two-letter username',
      { name: 'Bob', username: 'bo', password: PASSWORD },
      400,
      'invalid_field',
      'username',
      "username must be 3–64 characters of a-z, 0-9, '.', '_' or '-'",
    ],
    [
      '65-letter username',
      { name: 'Bob', username: 'b'.repeat(65), password: PASSWORD },
      400,
      'invalid_field',
      'username',
      "username must be 3–64 characters of a-z, 0-9, '.', '_' or '-'",
    ],
    ['blank name', { name: '   ', username: 'bob', password: PASSWORD }, 400, 'invalid_field', 'name', 'name must be 1–100 printable characters'],
    [
      '101-character name',
      { name: 'n'.repeat(101), username: 'bob', password: PASSWORD },
      400,
      'invalid_field',
      'name',
      'name must be 1–100 printable characters',
    ],
    [
      'name with a control character',
      { name: 'Bob\u0007', username: 'bob', password: PASSWORD },
      400,
      'invalid_field',
      'name',
      'name must be 1–100 printable characters',
    ],
    ['7-character password', { name: 'Bob', username: 'bob', password: 'abc#123' }, 400, 'weak_password', 'password', 'password must be at least 8 characters'],
    [
      '257-character password',
      { name: 'Bob', username: 'bob', password: 'p'.repeat(257) },
      400,
      'weak_password',
      'password',
      'password must be at most 256 characters',
    ],
    [
      '2000-character password',
      { name: 'Bob', username: 'bob', password: 'p'.repeat(2000) },
      400,
      'invalid_field',
      'password',
      'password must be at most 256 characters',
    ],
    [
      'common password',
      { name: 'Bob', username: 'bob', password: 'password1' },
      400,
      'weak_password',
      'password',
      'password is one of the most common passwords; choose another',
    ],
    [
      'common password in capitals',
      { name: 'Bob', username: 'bob', password: 'QWERTYUIOP' },
      400,
      'weak_password',
      'password',
      'password is one of the most common passwords; choose another',
    ],
    [
      'password equal to the username',
      { name: 'Bob', username: 'bobby.tables', password: 'Bobby.Tables' },
      400,
      'weak_password',
      'password',
      'password must not be the same as the username',
    ],
    ['bad email', { name: 'Bob', username: 'bob', password: PASSWORD, email: 'not-an-email' }, 400, 'invalid_field', 'email', 'email must be a valid address'],
  ];
  it.each(bad)('refuses %s with a 400 naming the field, storing nothing', async (_label, body, status, code, field, message) => {
    const res = await t.call('/register', { body });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ message, code, field });
    expect(await t.store.get(userKey('bob'))).toBeUndefined();
  });

  it('counts password length in characters after NFKC, and never truncates', async () => {
    // Eight emoji are eight characters (sixteen UTF-16 units).
    expect((await t.register('emoji', '🔑🔒🗝️🔐🛡️🏰🚪🧱')).status).toBe(201);
    const long = 'x'.repeat(80) + 'tail-that-matters';
    expect((await t.register('longpass', long)).status).toBe(201);
    expect((await t.call('/login', { body: { username: 'longpass', password: 'x'.repeat(80) } })).status).toBe(401);
    expect((await t.call('/login', { body: { username: 'longpass', password: long } })).status).toBe(200);
  });

  it('treats a password typed in another Unicode form as the same password (NFKC)', async () => {
    // "ｆｕｌｌｗｉｄｔｈ" (fullwidth) normalises to "fullwidth".
    expect((await t.register('unicode', 'ｆｕｌｌｗｉｄｔｈ-pass')).status).toBe(201);
    expect((await t.call('/login', { body: { username: 'unicode', password: 'fullwidth-pass' } })).status).toBe(200);
  });

  it('refuses a body that is not a JSON object with 400 invalid_json', async () => {
    for (const body of ['{"name":', 'null', '[1,2]', '"text"', '42']) {
      const res = await t.call('/register', { body });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: 'Request body must be a JSON object', code: 'invalid_json' });
    }
  });

  it('refuses a body over 16 KiB with 413', async () => {
    const res = await t.call('/register', { body: { name: 'Bob', username: 'bob', password: PASSWORD, pad: 'x'.repeat(17 * 1024) } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: 'Request body too large (limit 16 KiB)', code: 'payload_too_large' });
    expect(await t.store.get(userKey('bob'))).toBeUndefined();
  });

  it('ignores unknown fields, including prototype keys', async () => {
    const res = await t.call('/register', {
      body: `{"name":"Proto","username":"proto","password":"${PASSWORD}","__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},"passwordHash":"x"}`,
    });
    expect(res.status).toBe(201);
    const stored = await t.store.get(userKey('proto'));
    expect(stored?.data.admin).toBeUndefined();
    expect(String(stored?.data.passwordHash)).toMatch(/^\$argon2id\$/);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
