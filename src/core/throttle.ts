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

export const HOUR = 3_600_000;
export const TEN_MINUTES = 600_000;

/**
 * One more in a fixed window counted in the store (an atomic increment; the window starts with
 * the first count): whether this one goes past `cap`, and the seconds until the window ends.
 */
export async function countInWindow(store: Store, clock: Clock, key: Key, windowMs: number, cap: number): Promise<{ over: boolean; retryAfter: number }> {
  const now = clock.now();
  const counter = await store.increment(key, 1, now + windowMs);
  return { over: counter.value > cap, retryAfter: (counter.expiresAt - now) / 1000 };
}

/** Counts one more in a window, rate_limited past `cap`. */
export async function admitInWindow(store: Store, clock: Clock, key: Key, windowMs: number, cap: number): Promise<void> {
  const { over, retryAfter } = await countInWindow(store, clock, key, windowMs, cap);
  if (over) throw rateLimited(retryAfter);
}

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
  /** A wrong second-factor code counts against the account like a wrong password. */
  accountFailed(username: string): Promise<void>;
  /** Whether the account has had too many failures this hour. */
  accountLocked(username: string): Promise<boolean>;
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
      const cap = kind === 'login' ? settings.clientLoginsPer10Min : settings.clientRegistrationsPer10Min;
      await admitInWindow(store, clock, clientCount(kind, client), TEN_MINUTES, cap);
    },

    async accountFailed(username) {
      await store.increment(accountCount(username), 1, clock.now() + HOUR);
    },

    async accountLocked(username) {
      return ((await store.get<{ n?: number }>(accountCount(username)))?.data.n ?? 0) >= settings.accountFailuresPerHour;
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
 * The client a limit is counted against. An IPv4 address as it is; an IPv6 address by its /64
 * network (one host usually holds a whole /64), except: an IPv4-mapped address (dotted or hex) is
 * the IPv4 client it carries, the loopback `::1` is itself, and a link-local address (fe80::/10,
 * whose /64 is the same on every link) is its whole address. Anything that is not an address is
 * counted as given, and is never taken for the unknown client.
 */
export function clientKey(address: string | undefined): string {
  const raw = (address ?? '').trim().toLowerCase();
  if (!raw) return UNKNOWN_CLIENT;
  const v4 = ipv4(raw);
  if (v4) return v4.join('.');
  const groups = ipv6(raw);
  if (!groups) return `other:${raw.slice(0, 64)}`;
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(':');
  const zeros = (part: number[]) => part.every((group) => group === 0);
  if (zeros(groups.slice(0, 5)) && groups[5] === 0xffff) return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  if (zeros(groups.slice(0, 7)) && groups[7] === 1) return '::1';
  if ((groups[0]! & 0xffc0) === 0xfe80) return hex(groups);
  return `${hex(groups.slice(0, 4))}::/64`;
}

/** The four octets of a dotted IPv4 address, or undefined. */
function ipv4(raw: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(raw);
  const octets = match?.slice(1).map(Number);
  return octets?.every((octet) => octet <= 255) ? octets : undefined;
}

/** The eight 16-bit groups of an IPv6 address (its zone dropped, a dotted IPv4 tail allowed), or undefined. */
function ipv6(raw: string): number[] | undefined {
  const halves = raw.split('%')[0]!.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string, last: boolean): number[] | undefined => {
    const groups: number[] = [];
    const pieces = part ? part.split(':') : [];
    for (const [i, piece] of pieces.entries()) {
      const v4 = last && i === pieces.length - 1 ? ipv4(piece) : undefined;
      if (v4) groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      else if (/^[0-9a-f]{1,4}$/.test(piece)) groups.push(parseInt(piece, 16));
      else return undefined;
    }
    return groups;
  };
  const head = parse(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parse(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : undefined;
}
