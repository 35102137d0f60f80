import { isConditionFailed, type Key, type Store } from '../store/store';
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

/** An attempt that may go on to check the password, and what it reports afterwards. */
export interface Attempt {
  /** The account has had too many failures this hour: the attempt must fail like a wrong password. */
  readonly accountLocked: boolean;
  /** The password was wrong: counted, and past the free tries the client must wait. */
  failed(): Promise<void>;
  /**
   * The password was right. Resolves with whether the success may stand: not when failures from
   * parallel attempts used up the allowance (or locked the account) while this one was checked.
   * A success refused is counted as a failure, in every counter, so nothing that follows (a wait,
   * its length, the account's lock) tells it apart from a wrong password.
   */
  succeeded(): Promise<boolean>;
}

/**
 * Brute-force limits kept in the store, so they hold across processes and Lambda instances.
 * Failures are counted atomically; an attempt is turned away while its client must wait, and a
 * success is honoured only if the allowance still held when its verdict came, so a burst of
 * parallel guesses cannot win past the limit. Every key is per account name (existing or not), so
 * a limit never tells whether an account exists.
 */
export interface Throttle {
  /** Counts one attempt of this client; rate_limited when over its cap. */
  admit(kind: 'login' | 'register', client: string): Promise<void>;
  /** Starts an attempt at this account from this client; rate_limited when it must wait. */
  begin(username: string, client: string): Promise<Attempt>;
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

    async begin(username, client) {
      const now = clock.now();
      const perClient = client !== UNKNOWN_CLIENT;
      const state = async () => {
        const [pair, account] = await Promise.all([
          perClient ? store.list<{ n?: number }>(pairPk(username, client)) : [],
          store.get<{ n?: number }>(accountCount(username)),
        ]);
        return {
          lock: pair.find((item) => item.sk === 'lock'),
          failures: pair.find((item) => item.sk === 'count')?.data.n ?? 0,
          accountLocked: (account?.data.n ?? 0) >= settings.accountFailuresPerHour,
        };
      };
      const lockFor = (level: number) => Math.min(settings.lockoutMaxSeconds, settings.lockoutBaseSeconds * 2 ** Math.min(level, 20)) * 1000;

      const before = await state();
      if (before.lock?.expiresAt) throw rateLimited((before.lock.expiresAt - now) / 1000);
      // Past the free tries, one attempt at a time: it takes the next, longer lock before checking.
      const extra = before.failures - settings.failuresPerClient + 1;
      if (perClient && extra > 0) {
        try {
          await store.create({ ...pairLock(username, client), data: { failures: before.failures }, expiresAt: now + lockFor(extra) });
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          const other = (await store.get(pairLock(username, client)))?.expiresAt ?? now + 1000;
          throw rateLimited((other - now) / 1000);
        }
      }

      const attempt: Attempt = {
        accountLocked: before.accountLocked,
        async failed() {
          const [pair] = await Promise.all([
            perClient ? store.increment(pairCount(username, client), 1, now + HOUR) : undefined,
            store.increment(accountCount(username), 1, now + HOUR),
          ]);
          // The last free try: the client waits before the next.
          if (pair && pair.value === settings.failuresPerClient) {
            await store.put({ ...pairLock(username, client), data: { failures: pair.value }, expiresAt: now + lockFor(0) });
          }
        },
        async succeeded() {
          const after = await state();
          const allowed = extra > 0 || after.failures < settings.failuresPerClient;
          if (!allowed || after.accountLocked) {
            await attempt.failed();
            return false;
          }
          if (after.failures > 0 || after.lock) {
            await Promise.all([store.delete(pairCount(username, client)), store.delete(pairLock(username, client))]);
          }
          return true;
        },
      };
      return attempt;
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
