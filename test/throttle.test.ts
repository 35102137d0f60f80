import { describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../src/core/passwords';
import { SESSION_PREFIX, userKey } from '../src/core/records';
import { clientKey, THROTTLE_DEFAULTS, type ThrottleSettings } from '../src/core/throttle';
import { CLIENT_HEADER, hasher, makeTestApp, PASSWORD, type TestApp } from './helpers/app';

import { storeFactories } from './helpers/stores';

const WRONG = 'definitely not the password';

/**
 * A hasher that holds every check of one password: `inside` resolves once one has begun (its login
 * was let in), and the checks go on at `release()`.
 */
function holdingChecksOf(heldPassword: string) {
  let entered!: () => void;
  let release!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const holding: PasswordHasher = {
    ...hasher,
    verify: async (stored, password) => {
      if (password === heldPassword) {
        entered();
        await gate;
      }
      return hasher.verify(stored, password);
    },
  };
  return { hasher: holding, inside, release };
}

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
    // While the rest of the burst is still being checked, the right password comes too late: after
    // the fifth failure has locked this client out.
    await fiveFailed;
    const lock = { pk: 'THROTTLE#pair#alice#198.51.100.7', sk: 'lock' };
    while (!(await t.store.get(lock))) await new Promise((resolve) => setTimeout(resolve, 5));
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
    // The right password's check is held, once the login has been let in, until five wrong
    // guesses, sent meanwhile, have failed.
    const held = holdingChecksOf(PASSWORD);
    const t = await makeTestApp((now) => factory.make(now), { hasher: held.hasher });
    await t.register('alice');
    const right = login(t, 'alice', PASSWORD);
    await held.inside;
    await fail(t, 5);
    held.release();
    const answer = await right;
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ message: 'Wrong username or password', code: 'invalid_credentials' });
    expect(await t.store.list(userKey('alice').pk, { prefix: SESSION_PREFIX })).toEqual([]);
  });

  it('counts a right password refused inside a burst exactly like a wrong one: same answers, same later waits, same hourly count', async () => {
    /** The answers a client sees when the first attempt of a burst, with this password, is checked last. */
    const observe = async (heldPassword: string) => {
      const { hasher: holding, inside, release } = holdingChecksOf(heldPassword);
      const settings = { throttle: { ...THROTTLE_DEFAULTS, lockoutBaseSeconds: 2, accountFailuresPerHour: 7 } };
      const t = await makeTestApp((now) => factory.make(now), { hasher: holding, settings });
      await t.register('alice');
      const seen: [number, unknown, string | null][] = [];
      const record = async (res: Response) => {
        seen.push([res.status, await res.json(), res.headers.get('retry-after')]);
        return res;
      };
      const held = login(t, 'alice', heldPassword);
      await inside;
      for (let i = 0; i < 5; i++) await record(await login(t, 'alice', WRONG));
      release();
      await record(await held);
      const wait = await record(await login(t, 'alice', WRONG));
      t.clock.advance(Number(wait.headers.get('retry-after')) * 1000);
      await record(await login(t, 'alice', WRONG));
      await record(await login(t, 'alice', WRONG));
      // The account's hourly count, as another client with the right password sees it.
      await record(await login(t, 'alice', PASSWORD, '203.0.113.50'));
      return seen;
    };
    const allWrong = await observe('another wrong password');
    expect(allWrong.map(([status, , retryAfter]) => [status, retryAfter])).toEqual([
      ...Array.from({ length: 6 }, () => [401, null]),
      [429, '2'],
      [401, null],
      [429, '8'],
      [401, null],
    ]);
    expect(await observe(PASSWORD)).toEqual(allWrong);
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

  it("forgets a client's failures after it logs in", async () => {
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
      t.call('/password', {
        body: { currentPassword, newPassword: 'a brand new passphrase' },
        headers: { authorization: `Bearer ${token}`, [CLIENT_HEADER]: '198.51.100.7' },
      });
    for (let i = 0; i < 5; i++) expect((await change(WRONG)).status).toBe(403);
    expect((await change(PASSWORD)).status).toBe(429);
  });
});

describe('the client a limit counts against', () => {
  it.each([
    ['an IPv4 address', '203.0.113.9', '203.0.113.9'],
    ['an IPv4-mapped IPv6 address, dotted', '::ffff:203.0.113.9', '203.0.113.9'],
    ['an IPv4-mapped IPv6 address, in hex', '::ffff:cb00:7109', '203.0.113.9'],
    ['an IPv4-mapped loopback, in hex and upper case', '::FFFF:7F00:1', '127.0.0.1'],
    ['an IPv4-mapped address, written out', '0:0:0:0:0:ffff:7f00:1', '127.0.0.1'],
    ['the IPv6 loopback', '::1', '::1'],
    ['the IPv6 loopback, written out', '0:0:0:0:0:0:0:1', '::1'],
    ['a link-local address, by the whole address', 'fe80::1', 'fe80:0:0:0:0:0:0:1'],
    ['another host on the same link', 'fe80::2', 'fe80:0:0:0:0:0:0:2'],
    ['a link-local address with a zone', 'fe80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
    ['the top of fe80::/10', 'febf::1:2', 'febf:0:0:0:0:0:1:2'],
    ['an address just past fe80::/10, by its /64', 'fec0::1', 'fec0:0:0:0::/64'],
    ['a global IPv6 address, by its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['the same /64 written another way', '2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['a compressed global address', '2001:db8::1', '2001:db8:0:0::/64'],
    ['an address with an IPv4 tail that is not mapped', '64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['no address', undefined, 'unknown'],
    ['an empty address', '  ', 'unknown'],
  ])('is %s: %s → %s', (_label, address, key) => {
    expect(clientKey(address)).toBe(key);
  });

  it('keeps loopback, link-local, IPv4-mapped and other addresses in buckets of their own', () => {
    const keys = ['::1', '::2', 'fe80::1', 'fe80::2', '::ffff:7f00:1', '::ffff:7f00:2', '2001:db8::1', '2001:db8:0:1::1'].map(clientKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never takes something that is not an address for the unknown client', () => {
    for (const raw of ['unknown', 'UNKNOWN', 'not an address', '1.2.3.256', '1:2:3:4:5:6:7:8:9', 'fe80::1::2']) {
      expect(clientKey(raw)).not.toBe('unknown');
    }
    expect(clientKey('unknown')).toBe(clientKey('Unknown'));
  });
});
