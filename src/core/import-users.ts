import { isConditionFailed, type Store } from '../store/store';
import { BCRYPT_MAX_COST, BCRYPT_MIN_COST, bcryptCost, bcryptCostAccepted } from './bcrypt-cost';
import type { Clock } from './clock';
import { canonicalEmail, canonicalName, canonicalUsername } from './identity';
import { type UserRecord, userKey } from './records';
import { insertUser } from './users';

/** An item of the tutorials' user table: partition key `username`, a bcrypt `password`, old `tokens`. */
export type LegacyUser = Record<string, unknown>;

export interface ImportPage {
  readonly items: readonly LegacyUser[];
  /** Where to start the next page; undefined after the last. */
  readonly next?: Record<string, unknown> | undefined;
}

export interface ImportOptions {
  readonly source: string;
  readonly dryRun: boolean;
  /** Import at most this many users in this run (the rest on the next run). */
  readonly limit?: number | undefined;
  readonly readPage: (start: Record<string, unknown> | undefined) => Promise<ImportPage>;
  /** The key of a source item, to resume right after it. */
  readonly keyOf: (item: LegacyUser) => Record<string, unknown>;
  readonly onProgress?: (report: ImportReport) => void;
}

export interface ImportReport {
  imported: number;
  alreadyImported: number;
  skipped: { username: string; reason: string }[];
  seen: number;
  finished: boolean;
  resumed: boolean;
}

/**
 * The tutorials key usernames case-sensitively; Gatehouse lower-cases them. A source name may
 * differ from its Gatehouse name only in ASCII letter case: anything else that lower-casing would
 * turn into a valid name (the Kelvin sign into "k", say) only looks like it, and is refused.
 */
const SOURCE_USERNAME = /^[A-Za-z0-9._-]{3,64}$/;

interface Checkpoint extends Record<string, unknown> {
  next?: Record<string, unknown>;
  done: boolean;
}

const checkpointKey = (source: string) => ({ pk: `IMPORT#${source}`, sk: 'CHECKPOINT' });

/**
 * Copies the tutorials' users into Gatehouse. bcrypt hashes are kept as they are (they verify,
 * and become Argon2id at the first login); old tokens are dropped. Every write is a conditional
 * create, and a checkpoint after each page lets an interrupted import carry on where it stopped;
 * a user imported before from the very same source item is counted, never written twice.
 * Names that the tutorial kept apart but Gatehouse would not (`Kate` and `kate`) belong to
 * different people: none of them is imported, so no one gets an account holding another's hash.
 */
export async function importUsers(store: Store, clock: Clock, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, alreadyImported: 0, skipped: [], seen: 0, finished: false, resumed: false };
  const checkpoint = (await store.get<Checkpoint>(checkpointKey(options.source)))?.data;
  let start = checkpoint && !checkpoint.done ? checkpoint.next : undefined;
  report.resumed = start !== undefined;

  const save = async (next: Record<string, unknown> | undefined) => {
    if (!options.dryRun) await store.put({ ...checkpointKey(options.source), data: { ...(next ? { next } : {}), done: !next } });
  };

  const names = await namesInSource(options);
  for (;;) {
    const page = await options.readPage(start);
    for (const item of page.items) {
      report.seen++;
      const outcome = await importOne(store, clock, options, names, item);
      if (outcome === 'imported') report.imported++;
      else if (outcome === 'already') report.alreadyImported++;
      else report.skipped.push(outcome);
      if (options.limit !== undefined && report.imported >= options.limit && item !== page.items[page.items.length - 1]) {
        // Stop here; the next run starts right after this item.
        await save(options.keyOf(item));
        options.onProgress?.(report);
        return report;
      }
    }
    start = page.next;
    await save(start);
    options.onProgress?.(report);
    if (!start) {
      report.finished = true;
      return report;
    }
    if (options.limit !== undefined && report.imported >= options.limit) return report;
  }
}

const rawName = (item: LegacyUser): string => (typeof item.username === 'string' ? item.username : '');

/**
 * A first pass over the whole table: each Gatehouse name with every source name that becomes it.
 * Names that collide are known before anyone is imported, however the scan orders them, whatever
 * page they are on and whichever run reaches them.
 */
async function namesInSource(options: ImportOptions): Promise<ReadonlyMap<string, readonly string[]>> {
  const names = new Map<string, string[]>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await options.readPage(start);
    for (const item of page.items) {
      const raw = rawName(item);
      if (!SOURCE_USERNAME.test(raw)) continue;
      const username = raw.toLowerCase();
      names.set(username, [...(names.get(username) ?? []), raw]);
    }
    start = page.next;
  } while (start);
  return names;
}

async function importOne(
  store: Store,
  clock: Clock,
  options: ImportOptions,
  names: ReadonlyMap<string, readonly string[]>,
  item: LegacyUser,
): Promise<'imported' | 'already' | { username: string; reason: string }> {
  const raw = rawName(item);
  const skip = (reason: string) => ({ username: raw || '(none)', reason });
  if (!SOURCE_USERNAME.test(raw)) {
    if (canonicalUsername(raw)) return skip('username has characters that only turn into a-z 0-9 . _ - when lower-cased; refused');
    return skip('username is not 3–64 characters of a-z 0-9 . _ -');
  }
  const username = raw.toLowerCase();
  const sameName = names.get(username) ?? [];
  if (!sameName.includes(raw)) return skip('username was added to the table during this run; run the import again');
  const cost = typeof item.password === 'string' ? bcryptCost(item.password) : undefined;
  if (cost === undefined) return skip('password is not a bcrypt hash');
  if (!bcryptCostAccepted(cost)) {
    return skip(`password is a bcrypt hash of cost ${String(cost).padStart(2, '0')}; only costs ${BCRYPT_MIN_COST}–${BCRYPT_MAX_COST} are imported`);
  }
  const name = canonicalName(typeof item.name === 'string' && item.name.trim() ? item.name : username);
  if (!name) return skip('name is not 1–100 printable characters');
  const email = typeof item.email === 'string' && item.email ? canonicalEmail(item.email) : undefined;
  if (typeof item.email === 'string' && item.email && !email) return skip('email is not a valid address');

  // Already imported only when the record was made from this very source item, not a look-alike.
  const fromHere = (user: UserRecord | undefined) => user?.importedFrom === options.source && user.sourceUsername === raw;
  const existing = await store.get<UserRecord>(userKey(username));
  if (fromHere(existing?.data)) return 'already';
  const others = sameName.filter((other) => other !== raw);
  if (others.length) return skip(`username differs from ${others.join(', ')} only in letter case; such names are not imported`);
  if (existing) return skip('username is taken by an existing Gatehouse user');
  if (options.dryRun) return 'imported';

  const user: UserRecord = {
    username,
    name,
    ...(email ? { email } : {}),
    passwordHash: item.password as string,
    createdAt: new Date(clock.now()).toISOString(),
    importedFrom: options.source,
    sourceUsername: raw,
  };
  try {
    await insertUser(store, user);
    return 'imported';
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const now = await store.get<UserRecord>(userKey(username));
    if (fromHere(now?.data)) return 'already';
    return skip(now ? 'username is taken by an existing Gatehouse user' : 'email is taken by an existing Gatehouse user');
  }
}
