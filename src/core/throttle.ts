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

/**
 * An attempt that may go on to check the password. A failure needs nothing more: the attempt is
 * already counted, and any lock it took runs out on its own.
 */
export interface Attempt {
  /** The account has had too many failures this hour: the attempt must fail like a wrong password. */
  readonly accountLocked: boolean;
  /** The password was right: this client's failures for this account are forgotten. */
  succeeded(): Promise<void>;
}

/**
 * Brute-force limits kept in the store, so they hold across processes and Lambda instances.
 * Every attempt is counted atomically before any password is checked, so a burst of parallel
 * guesses gets no more tries than the same guesses one after another. Every key is per account
 * name (existing or not), so a limit never tells whether an account exists.
 */
export interface Throttle {
  /** Counts one attempt of this client; rate_limited when over its cap. */
  admit(kind: 'login' | 'register', client: string): Promise<void>;
  /** Counts an attempt at this account from this client; rate_limited when it must wait. */
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
      const [pair, account, lock] = await Promise.all([
        perClient ? store.increment(pairCount(username, client), 1, now + HOUR) : undefined,
        store.increment(accountCount(username), 1, now + HOUR),
        perClient ? store.get(pairLock(username, client)) : undefined,
      ]);
      // Attempts that are turned away were never password checks: they do not count as failures.
      const turnAway = async (until: number) => {
        await Promise.all([
          store.increment(pairCount(username, client), -1, now + HOUR),
          store.increment(accountCount(username), -1, now + HOUR),
        ]);
        throw rateLimited((until - now) / 1000);
      };
      if (lock?.expiresAt) await turnAway(lock.expiresAt);
      const over = pair ? pair.value - settings.failuresPerClient : -1;
      const lockFor = (level: number) => Math.min(settings.lockoutMaxSeconds, settings.lockoutBaseSeconds * 2 ** Math.min(level, 20)) * 1000;
      if (over >= 0) {
        // The last free try, and every one after it, takes the lock before checking anything: the
        // lock is in place before its own outcome is known, so no parallel attempt slips past.
        try {
          await store.create({ ...pairLock(username, client), data: { attempt: pair!.value }, expiresAt: now + lockFor(over) });
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          const other = await store.get(pairLock(username, client));
          await turnAway(other?.expiresAt ?? now + 1000);
        }
      }
      return {
        accountLocked: account.value > settings.accountFailuresPerHour,
        succeeded: async () => {
          await Promise.all([
            store.increment(accountCount(username), -1, now + HOUR),
            ...(pair ? [store.delete(pairCount(username, client))] : []),
            ...(over >= 0 ? [store.delete(pairLock(username, client))] : []),
          ]);
        },
      };
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
