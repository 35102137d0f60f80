import { describe, expect, it } from 'vitest';
import { THROTTLE_DEFAULTS, clientKey, type ThrottleSettings } from '../src/core/throttle';
import { CLIENT_HEADER, makeTestApp, PASSWORD, type TestApp } from './helpers/app';
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

  it('gives a burst of parallel guesses no more tries than the same guesses in a row', async () => {
    const t = await app({ accountFailuresPerHour: 12 });
    const burst = await Promise.all(Array.from({ length: 40 }, () => login(t, 'alice', WRONG)));
    const statuses = burst.map((res) => res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect((await login(t, 'alice', PASSWORD)).status).toBe(429);
    // From many addresses at once, the account takes at most its hourly cap of guesses.
    const spread = await Promise.all(Array.from({ length: 30 }, (_, i) => login(t, 'alice', WRONG, `10.9.0.${i}`)));
    expect(spread.every((res) => res.status === 401)).toBe(true);
    expect((await login(t, 'alice', PASSWORD, '10.9.1.1')).status).toBe(401);
    t.clock.advance(3_600_000);
    expect((await login(t, 'alice', PASSWORD, '10.9.1.1')).status).toBe(200);
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
