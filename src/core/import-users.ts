import { isConditionFailed, type Store } from '../store/store';
import type { Clock } from './clock';
import { canonicalEmail, canonicalName, canonicalUsername } from './identity';
import { userKey, type UserRecord } from './records';
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

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

interface Checkpoint extends Record<string, unknown> {
  next?: Record<string, unknown>;
  done: boolean;
}

const checkpointKey = (source: string) => ({ pk: `IMPORT#${source}`, sk: 'CHECKPOINT' });

/**
 * Copies the tutorials' users into Gatehouse. bcrypt hashes are kept as they are (they verify,
 * and become Argon2id at the first login); old tokens are dropped. Every write is a conditional
 * create, and a checkpoint after each page lets an interrupted import carry on where it stopped;
 * a user imported before is counted, never written twice.
 */
export async function importUsers(store: Store, clock: Clock, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, alreadyImported: 0, skipped: [], seen: 0, finished: false, resumed: false };
  const checkpoint = (await store.get<Checkpoint>(checkpointKey(options.source)))?.data;
  let start = checkpoint && !checkpoint.done ? checkpoint.next : undefined;
  report.resumed = start !== undefined;

  const save = async (next: Record<string, unknown> | undefined) => {
    if (!options.dryRun) await store.put({ ...checkpointKey(options.source), data: { ...(next ? { next } : {}), done: !next } });
  };

  for (;;) {
    const page = await options.readPage(start);
    for (const item of page.items) {
      report.seen++;
      const outcome = await importOne(store, clock, options, item);
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

async function importOne(
  store: Store,
  clock: Clock,
  options: ImportOptions,
  item: LegacyUser,
): Promise<'imported' | 'already' | { username: string; reason: string }> {
  const raw = typeof item.username === 'string' ? item.username : '';
  const skip = (reason: string) => ({ username: raw || '(none)', reason });
  const username = canonicalUsername(raw);
  if (!username) return skip("username is not 3–64 characters of a-z 0-9 . _ -");
  if (typeof item.password !== 'string' || !BCRYPT.test(item.password)) return skip('password is not a bcrypt hash');
  const name = canonicalName(typeof item.name === 'string' && item.name.trim() ? item.name : username);
  if (!name) return skip('name is not 1–100 printable characters');
  const email = typeof item.email === 'string' && item.email ? canonicalEmail(item.email) : undefined;
  if (typeof item.email === 'string' && item.email && !email) return skip('email is not a valid address');

  const existing = await store.get<UserRecord>(userKey(username));
  if (existing) return existing.data.importedFrom === options.source ? 'already' : skip('username is taken by an existing Gatehouse user');
  if (options.dryRun) return 'imported';

  const user: UserRecord = {
    username,
    name,
    ...(email ? { email } : {}),
    passwordHash: item.password,
    createdAt: new Date(clock.now()).toISOString(),
    importedFrom: options.source,
  };
  try {
    await insertUser(store, user);
    return 'imported';
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const now = await store.get<UserRecord>(userKey(username));
    if (now?.data.importedFrom === options.source) return 'already';
    return skip(now ? 'username is taken by an existing Gatehouse user' : 'email is taken by an existing Gatehouse user');
  }
}
