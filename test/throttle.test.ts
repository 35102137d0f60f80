import { describe, expect, it } from 'vitest';
import { THROTTLE_DEFAULTS, clientKey, type ThrottleSettings } from '../src/core/throttle';
import type { PasswordHasher } from '../src/core/passwords';
import { SESSION_PREFIX, userKey } from '../src/core/records';
import { CLIENT_HEADER, hasher, makeTestApp, PASSWORD, type TestApp } from './helpers/app';

import { storeFactories } from './helpers/stores';

const WRONG = 'definitely not the password';

describe.each(storeFactories)('throttling in the store, on $name', (factory) => {
  async function app(throttle: Partial<ThrottleSettings> = {}): Promise<TestApp> {
    const t = await makeTestApp((now) => factory.make(now), { settings: { throttle: { ...THROTTLE_DEFAULTS, ...throttle } } });
    await t.register('alice');
    return t;
  }
  const login = (t: TestApp, username: string, password: string, client = '198.51.100.7') =>
    t.call('/login', { body: { username, password }, headers: { [CLIENT_HEADER]: client } });
  const fail = async (t: TestApp, times: number, username = 'alice', client = '198.51.100.7') => {
    for (let i = 0; i < times; i++) expect((await login(t, username, WRONG, client)).status).toBe(401);
  };

  it('5 failures for one account from one client → 429 with Retry-After, for the right password too; another client is unaffected', async () => {
    const t = await app();
    await fail(t, 5);
    const limited = await login(t, 'alice', PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(await limited.json()).toEqual({ message: 'Too many attempts; try again in 30 seconds', code: 'rate_limited' });
    expect((await login(t, 'alice', PASSWORD, '203.0.113.9')).status).toBe(200);
    t.clock.advance(29_000);
    expect((await login(t, 'alice', PASSWORD)).headers.get('retry-after')).toBe('1');
    t.clock.advance(1_000);
    expect((await login(t, 'alice', PASSWORD)).status).toBe(200);
  });

  it('lets no right password win once parallel wrong guesses have used up the allowance', async () => {
    const t = await app({ accountFailuresPerHour: 12 });
    let answered = 0;
    let fifth!: () => void;
    const fiveFailed = new Promise<void>((resolve) => (fifth = resolve));
    const burst = Array.from({ length: 40 }, () =>
      login(t, 'alice', WRONG).then((res) => {
        if (++answered === 5) fifth();
        return res.status;
      }),
    );
    // While the rest of the burst is still being checked, the right password comes too late.
    await fiveFailed;
    const right = await login(t, 'alice', PASSWORD);
    expect(right.status).toBe(429);
    const statuses = await Promise.all(burst);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    expect((await login(t, 'alice', PASSWORD)).status).toBe(429);
    // From many addresses at once, the account locks at its hourly cap: even the right password fails.
    await Promise.all(Array.from({ length: 30 }, (_, i) => login(t, 'alice', WRONG, `10.9.0.${i}`)));
    expect((await login(t, 'alice', PASSWORD, '10.9.1.1')).status).toBe(401);
    t.clock.advance(3_600_000);
    expect((await login(t, 'alice', PASSWORD, '10.9.1.1')).status).toBe(200);
  });

  it('refuses a right password whose check ends after parallel wrong ones used up the allowance', async () => {
    // The right password's check is held until five wrong guesses, sent meanwhile, have failed.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slowForTheRightOne: PasswordHasher = {
      ...hasher,
      verify: async (stored, password) => {
        if (password === PASSWORD) await held;
        return hasher.verify(stored, password);
      },
    };
    const t = await makeTestApp((now) => factory.make(now), { hasher: slowForTheRightOne });
    await t.register('alice');
    const right = login(t, 'alice', PASSWORD);
    await fail(t, 5);
    release();
    const answer = await right;
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ message: 'Wrong username or password', code: 'invalid_credentials' });
    expect(await t.store.list(userKey('alice').pk, { prefix: SESSION_PREFIX })).toEqual([]);
  });

  it('backs off: each further failure doubles the wait, up to 15 minutes', async () => {
    const t = await app();
    await fail(t, 5);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await login(t, 'alice', WRONG);
      expect(res.status).toBe(429);
      const wait = Number(res.headers.get('retry-after'));
      waits.push(wait);
      t.clock.advance(wait * 1000);
      expect((await login(t, 'alice', WRONG)).status).toBe(401);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900]);
  });

  it('forgets a client\'s failures after it logs in', async () => {
    const t = await app();
    await fail(t, 4);
    expect((await login(t, 'alice', PASSWORD)).status).toBe(200);
    await fail(t, 4);
    expect((await login(t, 'alice', PASSWORD)).status).toBe(200);
  });

  it('treats an unknown account exactly like a real one: same 401s, then the same 429', async () => {
    const t = await app();
    const answers = async (username: string) => {
      const out: [number, unknown, string | null][] = [];
      for (let i = 0; i < 6; i++) {
        const res = await login(t, username, WRONG, `client-${username}`);
        out.push([res.status, await res.json(), res.headers.get('retry-after')]);
      }
      return out;
    };
    expect(await answers('nobody-here')).toEqual(await answers('alice'));
  });

  it('locks an account after too many failures from anywhere: even the right password fails like a wrong one, until the hour ends', async () => {
    const t = await app({ accountFailuresPerHour: 12 });
    for (let i = 0; i < 12; i++) await fail(t, 1, 'alice', `10.0.0.${i}`);
    const locked = await login(t, 'alice', PASSWORD, '10.0.1.1');
    const wrong = await login(t, 'alice', WRONG, '10.0.1.2');
    const unknown = await login(t, 'nobody-here', WRONG, '10.0.1.3');
    for (const res of [locked, wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Wrong username or password', code: 'invalid_credentials' });
      expect(res.headers.get('retry-after')).toBeNull();
    }
    t.clock.advance(3_600_000);
    expect((await login(t, 'alice', PASSWORD, '10.0.1.1')).status).toBe(200);
  });

  it('caps the login attempts of one client across accounts', async () => {
    const t = await app({ clientLoginsPer10Min: 8 });
    for (let i = 0; i < 8; i++) expect((await login(t, `user${i}`, WRONG, '192.0.2.50')).status).toBe(401);
    const capped = await login(t, 'alice', PASSWORD, '192.0.2.50');
    expect(capped.status).toBe(429);
    expect(Number(capped.headers.get('retry-after'))).toBe(600);
    expect((await login(t, 'alice', PASSWORD, '192.0.2.51')).status).toBe(200);
    t.clock.advance(600_000);
    expect((await login(t, 'alice', PASSWORD, '192.0.2.50')).status).toBe(200);
  });

  it('caps the registrations of one client', async () => {
    const t = await app({ clientRegistrationsPer10Min: 3 });
    const register = (username: string, client: string) =>
      t.call('/register', { body: { name: 'N', username, password: PASSWORD }, headers: { [CLIENT_HEADER]: client } });
    for (let i = 0; i < 3; i++) expect((await register(`new${i}`, '192.0.2.60')).status).toBe(201);
    const capped = await register('new3', '192.0.2.60');
    expect(capped.status).toBe(429);
    expect(capped.headers.get('retry-after')).toBe('600');
    expect((await register('new3', '192.0.2.61')).status).toBe(201);
  });

  it('counts a wrong current password at /password like a failed login', async () => {
    const t = await app();
    const { token } = await t.login('alice');
    const change = (currentPassword: string) =>
      t.call('/password', { body: { currentPassword, newPassword: 'a brand new passphrase' }, headers: { authorization: `Bearer ${token}`, [CLIENT_HEADER]: '198.51.100.7' } });
    for (let i = 0; i < 5; i++) expect((await change(WRONG)).status).toBe(403);
    expect((await change(PASSWORD)).status).toBe(429);
  });
});

describe('the client a limit counts against', () => {
  it('is an IPv4 address as it is, and an IPv6 address by its /64', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::7')).toBe(clientKey('2001:0db8:0001:0002:ffff::1'));
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });
});
