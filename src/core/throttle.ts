import type { Key, Store } from '../store/store';
import type { Clock } from './clock';
import { rateLimited } from './errors';

/** Limits, all configurable. Windows are fixed, starting at the first counted attempt. */
export interface ThrottleSettings {
  /** Failed logins for one account from one client before it must wait (429). */
  readonly failuresPerClient: number;
  /** First wait after that many failures; it doubles with each further failure. */
  readonly lockoutBaseSeconds: number;
  /** The longest wait. */
  readonly lockoutMaxSeconds: number;
  /** Failed logins for one account per hour from anywhere before the account is locked for the rest of the hour. */
  readonly accountFailuresPerHour: number;
  /** Login attempts one client may make in 10 minutes, whatever the accounts. */
  readonly clientLoginsPer10Min: number;
  /** Registrations one client may attempt in 10 minutes. */
  readonly clientRegistrationsPer10Min: number;
}

export const THROTTLE_DEFAULTS: ThrottleSettings = {
  failuresPerClient: 5,
  lockoutBaseSeconds: 30,
  lockoutMaxSeconds: 900,
  accountFailuresPerHour: 100,
  clientLoginsPer10Min: 100,
  clientRegistrationsPer10Min: 30,
};

const HOUR = 3_600_000;
const TEN_MINUTES = 600_000;

export interface LoginState {
  /** Seconds until this client may try this account again; 0 when it may now. */
  readonly waitSeconds: number;
  /** The account has had too many failures this hour: every attempt fails until the hour ends. */
  readonly accountLocked: boolean;
  /** Failures of this account from this client in the current window. */
  readonly failures: number;
}

/**
 * Brute-force limits kept in the store, so they hold across processes and Lambda instances.
 * Every key is per account name (existing or not), so a limit never tells whether an account exists.
 */
export interface Throttle {
  /** Counts one attempt of this client; rate_limited when over its cap. */
  admit(kind: 'login' | 'register', client: string): Promise<void>;
  loginState(username: string, client: string): Promise<LoginState>;
  recordFailure(username: string, client: string): Promise<void>;
  /** After a success: this client's failures for this account are forgotten. */
  recordSuccess(username: string, client: string, state: LoginState): Promise<void>;
}

const pairPk = (username: string, client: string) => `THROTTLE#pair#${username}#${client}`;
const pairCount = (username: string, client: string): Key => ({ pk: pairPk(username, client), sk: 'count' });
const pairLock = (username: string, client: string): Key => ({ pk: pairPk(username, client), sk: 'lock' });
const accountCount = (username: string): Key => ({ pk: `THROTTLE#account#${username}`, sk: 'count' });
const clientCount = (kind: string, client: string): Key => ({ pk: `THROTTLE#client#${kind}#${client}`, sk: 'count' });

/** The client of a request whose network address is not known. */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * Per-client limits need to know the client: for a request without an address they are skipped
 * (counting all such requests as one client would let anyone lock everyone out), and the
 * per-account limit still holds.
 */
export function createThrottle(store: Store, clock: Clock, settings: ThrottleSettings): Throttle {
  return {
    async admit(kind, client) {
      if (client === UNKNOWN_CLIENT) return;
      const now = clock.now();
      const cap = kind === 'login' ? settings.clientLoginsPer10Min : settings.clientRegistrationsPer10Min;
      const counter = await store.increment(clientCount(kind, client), 1, now + TEN_MINUTES);
      if (counter.value > cap) throw rateLimited((counter.expiresAt - now) / 1000);
    },

    async loginState(username, client) {
      const now = clock.now();
      const [pair, account] = await Promise.all([
        client === UNKNOWN_CLIENT ? [] : store.list<{ n?: number }>(pairPk(username, client)),
        store.get<{ n?: number }>(accountCount(username)),
      ]);
      const lock = pair.find((item) => item.sk === 'lock');
      const failures = pair.find((item) => item.sk === 'count')?.data.n ?? 0;
      return {
        waitSeconds: lock?.expiresAt ? Math.max(0, (lock.expiresAt - now) / 1000) : 0,
        accountLocked: (account?.data.n ?? 0) >= settings.accountFailuresPerHour,
        failures,
      };
    },

    async recordFailure(username, client) {
      const now = clock.now();
      const [pair] = await Promise.all([
        client === UNKNOWN_CLIENT ? { value: 0 } : store.increment(pairCount(username, client), 1, now + HOUR),
        store.increment(accountCount(username), 1, now + HOUR),
      ]);
      const over = pair.value - settings.failuresPerClient;
      if (client !== UNKNOWN_CLIENT && over >= 0) {
        const seconds = Math.min(settings.lockoutMaxSeconds, settings.lockoutBaseSeconds * 2 ** Math.min(over, 20));
        await store.put({ ...pairLock(username, client), data: { failures: pair.value }, expiresAt: now + seconds * 1000 });
      }
    },

    async recordSuccess(username, client, state) {
      if (state.failures > 0) {
        await Promise.all([store.delete(pairCount(username, client)), store.delete(pairLock(username, client))]);
      }
    },
  };
}

/**
 * The client a limit is counted against: an IPv4 address as it is, an IPv6 address by its /64
 * network (one host usually holds a whole /64), anything else as given.
 */
export function clientKey(address: string | undefined): string {
  const raw = (address ?? '').trim().toLowerCase();
  if (!raw) return UNKNOWN_CLIENT;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(raw);
  if (mapped) return mapped[1]!;
  if (!raw.includes(':')) return raw.slice(0, 64);
  const [head = '', tail = ''] = raw.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = raw.includes('::') && tail ? tail.split(':') : [];
  const groups = raw.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (g || '0').replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
