import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import {
  type Changes,
  type Condition,
  ConditionFailedError,
  type Counter,
  type Data,
  type Item,
  type Key,
  type ListOptions,
  type NewItem,
  type Store,
  StoreUnavailableError,
  WRITE_ID_MEMORY_MS,
  type WriteOp,
  type WriteOptions,
} from './store';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:'. */
  readonly file: string;
  /** Epoch milliseconds; expiry is judged against it. */
  readonly now?: () => number;
  /** Expired rows are swept after this many writes. */
  readonly sweepEvery?: number;
}

interface Row {
  pk: string;
  sk: string;
  data: string;
  expires_at: number | null;
  version: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (
  pk TEXT NOT NULL,
  sk TEXT NOT NULL,
  data TEXT NOT NULL,
  expires_at INTEGER,
  version INTEGER NOT NULL,
  PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_expiry ON items (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS writes (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  result TEXT NOT NULL
) WITHOUT ROWID;
`;

// A row is live when it has no expiry or its expiry is still ahead of :now.
const LIVE = '(expires_at IS NULL OR expires_at > :now)';

/** The embedded store: one SQLite table in WAL mode. */
export function sqliteStore(options: SqliteStoreOptions): Store {
  const now = options.now ?? Date.now;
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a crash of this process (kill -9);
  // only an operating-system crash or power loss can take the last commits back.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 2000');
  db.exec(SCHEMA);

  const q = {
    get: db.prepare(`SELECT * FROM items WHERE pk = :pk AND sk = :sk AND ${LIVE}`),
    // Inserts, or takes over an expired row; a live row makes it change nothing.
    create: db.prepare(
      `INSERT INTO items (pk, sk, data, expires_at, version) VALUES (:pk, :sk, :data, :expiresAt, 1)
       ON CONFLICT (pk, sk) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, version = 1
       WHERE items.expires_at IS NOT NULL AND items.expires_at <= :now`,
    ),
    put: db.prepare(
      `INSERT INTO items (pk, sk, data, expires_at, version) VALUES (:pk, :sk, :data, :expiresAt, 1)
       ON CONFLICT (pk, sk) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at,
       version = CASE WHEN ${LIVE.replaceAll('expires_at', 'items.expires_at')} THEN items.version + 1 ELSE 1 END
       RETURNING version`,
    ),
    write: db.prepare(
      `UPDATE items SET data = :data, expires_at = :expiresAt, version = version + 1
       WHERE pk = :pk AND sk = :sk AND version = :version`,
    ),
    delete: db.prepare(`DELETE FROM items WHERE pk = :pk AND sk = :sk RETURNING expires_at, version`),
    counter: db.prepare(
      `INSERT INTO items (pk, sk, data, expires_at, version) VALUES (:pk, :sk, json_object('n', :by), :expiresAt, 1)
       ON CONFLICT (pk, sk) DO UPDATE SET
         data = CASE WHEN ${LIVE.replaceAll('expires_at', 'items.expires_at')}
           THEN json_set(items.data, '$.n', coalesce(json_extract(items.data, '$.n'), 0) + :by)
           ELSE json_object('n', :by) END,
         expires_at = CASE WHEN ${LIVE.replaceAll('expires_at', 'items.expires_at')} THEN items.expires_at ELSE :expiresAt END,
         version = items.version + 1
       RETURNING json_extract(data, '$.n') AS n, expires_at`,
    ),
    list: db.prepare(`SELECT * FROM items WHERE pk = :pk AND sk >= :from AND (:to IS NULL OR sk < :to) AND ${LIVE} ORDER BY sk ASC LIMIT :limit`),
    listReverse: db.prepare(`SELECT * FROM items WHERE pk = :pk AND sk >= :from AND (:to IS NULL OR sk < :to) AND ${LIVE} ORDER BY sk DESC LIMIT :limit`),
    sweep: db.prepare(`DELETE FROM items WHERE (pk, sk) IN (SELECT pk, sk FROM items WHERE expires_at IS NOT NULL AND expires_at <= :now LIMIT 500)`),
    sweepWrites: db.prepare(`DELETE FROM writes WHERE id IN (SELECT id FROM writes WHERE at <= :before LIMIT 500)`),
    findWrite: db.prepare(`SELECT result FROM writes WHERE id = :id`),
    recordWrite: db.prepare(`INSERT INTO writes (id, at, result) VALUES (:id, :at, :result)`),
    ping: db.prepare('SELECT 1'),
  };

  const sweepEvery = options.sweepEvery ?? 1000;
  let writes = 0;
  // Expired rows are invisible already; removing them is housekeeping, a bounded batch at a time,
  // and its failure (the file busy in another process) must not fail the write that triggered it.
  const wrote = () => {
    if (++writes % sweepEvery !== 0) return;
    try {
      q.sweep.run({ now: now() });
      q.sweepWrites.run({ before: now() - WRITE_ID_MEMORY_MS });
    } catch {
      // The next sweep tries again.
    }
  };

  const getRow = (key: Key): Item | undefined => {
    const row = q.get.get({ pk: key.pk, sk: key.sk, now: now() }) as Row | undefined;
    return row && toItem(row);
  };

  const createSync = <T extends Data>(item: NewItem<T>): Item<T> => {
    const result = q.create.run({ ...bind(item), now: now() });
    if (result.changes === 0) throw new ConditionFailedError(`item exists: ${item.pk} ${item.sk}`);
    return { ...item, version: 1 };
  };

  const putSync = <T extends Data>(item: NewItem<T>): Item<T> => {
    const row = q.put.get({ ...bind(item), now: now() }) as { version: number };
    return { ...item, version: row.version };
  };

  const updateSync = <T extends Data>(key: Key, changes: Changes, ifVersion?: number): Item<T> => {
    const current = getRow(key);
    if (!current) throw new ConditionFailedError(`no item: ${key.pk} ${key.sk}`);
    if (ifVersion !== undefined && current.version !== ifVersion) {
      throw new ConditionFailedError(`version mismatch: ${key.pk} ${key.sk}`);
    }
    const data: Data = { ...current.data, ...changes.set };
    for (const field of changes.remove ?? []) delete data[field];
    const expiresAt = changes.expiresAt === undefined ? current.expiresAt : (changes.expiresAt ?? undefined);
    q.write.run({ pk: key.pk, sk: key.sk, data: JSON.stringify(data), expiresAt: expiresAt ?? null, version: current.version });
    return { pk: key.pk, sk: key.sk, data: data as T, expiresAt, version: current.version + 1 };
  };

  const deleteSync = (key: Key, condition?: Condition & { mustExist?: boolean }): boolean => {
    if (condition?.ifVersion !== undefined || condition?.mustExist) {
      const current = getRow(key);
      if (!current) {
        if (condition.mustExist || condition.ifVersion !== undefined) {
          throw new ConditionFailedError(`no item: ${key.pk} ${key.sk}`);
        }
      } else if (condition.ifVersion !== undefined && current.version !== condition.ifVersion) {
        throw new ConditionFailedError(`version mismatch: ${key.pk} ${key.sk}`);
      }
    }
    const row = q.delete.get({ pk: key.pk, sk: key.sk }) as { expires_at: number | null } | undefined;
    return row !== undefined && (row.expires_at === null || row.expires_at > now());
  };

  const checkSync = (key: Key, ifVersion: number): void => {
    const current = getRow(key);
    if (!current || current.version !== ifVersion) throw new ConditionFailedError(`version mismatch: ${key.pk} ${key.sk}`);
  };

  const applyAll = (ops: readonly WriteOp[]): void => {
    ops.forEach((op, index) => {
      try {
        switch (op.type) {
          case 'create':
            createSync(op.item);
            break;
          case 'update':
            updateSync(op.key, op.changes, op.ifVersion);
            break;
          case 'delete':
            deleteSync(op.key, { ifVersion: op.ifVersion, mustExist: op.mustExist });
            break;
          case 'check':
            checkSync(op.key, op.ifVersion);
            break;
        }
      } catch (error) {
        if (error instanceof ConditionFailedError) throw new ConditionFailedError(error.message, index);
        throw error;
      }
    });
  };

  /**
   * A write the caller named is done at most once: its result is kept (WRITE_ID_MEMORY_MS) in the
   * same transaction as the write, and the same id sent again gets that result back.
   */
  const once = db.transaction(<R>(writeId: string, write: () => R): R => {
    const done = q.findWrite.get({ id: writeId }) as { result: string } | undefined;
    if (done) return JSON.parse(done.result) as R;
    const result = write();
    q.recordWrite.run({ id: writeId, at: now(), result: JSON.stringify(result ?? null) });
    return result;
  });
  const atomicTx = db.transaction((fn: () => unknown) => fn());
  /** Runs a write in one transaction (a single statement is one already), remembered when named. */
  const write = <R>(options: WriteOptions | undefined, fn: () => R, statements: 'one' | 'many' = 'one'): R => {
    let result: R;
    if (options?.writeId !== undefined) result = once.immediate(options.writeId, fn) as R;
    else result = statements === 'many' ? (atomicTx.immediate(fn) as R) : fn();
    wrote();
    return result;
  };

  let closed = false;
  const guard = <R>(fn: () => R): Promise<R> => {
    if (closed) return Promise.reject(new StoreUnavailableError('sqlite: store is closed'));
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(translate(error));
    }
  };

  return {
    name: 'sqlite',
    get: <T extends Data>(key: Key) => guard(() => getRow(key) as Item<T> | undefined),
    create: <T extends Data>(item: NewItem<T>, options?: WriteOptions) => guard(() => write(options, () => createSync(item))),
    put: <T extends Data>(item: NewItem<T>, options?: WriteOptions) => guard(() => write(options, () => putSync(item))),
    update: <T extends Data>(key: Key, changes: Changes, condition?: Condition) =>
      guard(() => write(condition, () => updateSync<T>(key, changes, condition?.ifVersion), 'many')),
    delete: (key, condition) => guard(() => write(condition, () => deleteSync(key, condition), 'many')),
    increment: (key, by, expiresAt, options): Promise<Counter> =>
      guard(() =>
        write(options, () => {
          const row = q.counter.get({ pk: key.pk, sk: key.sk, by, expiresAt, now: now() }) as { n: number; expires_at: number };
          return { value: row.n, expiresAt: row.expires_at };
        }),
      ),
    list: <T extends Data>(pk: string, options: ListOptions = {}) =>
      guard(() => {
        const prefix = options.prefix ?? '';
        const statement = options.reverse ? q.listReverse : q.list;
        const rows = statement.all({
          pk,
          from: prefix,
          to: prefixEnd(prefix),
          limit: options.limit ?? -1,
          now: now(),
        }) as Row[];
        return rows.map((row) => toItem(row) as Item<T>);
      }),
    transact: (ops, options) =>
      guard(() => {
        write(options, () => applyAll(ops), 'many');
      }),
    ping: () =>
      guard(() => {
        q.ping.get();
      }),
    close: async () => {
      closed = true;
      if (db.open) db.close();
    },
  };
}

/**
 * The first string after every string that starts with `prefix`, in SQLite's order (UTF-8 bytes,
 * which is code point order): the prefix with its last code point one higher. Characters beyond
 * U+FFFF sort above '\uffff', so that cannot serve as the end.
 */
function prefixEnd(prefix: string): string | null {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return null;
}

function bind(item: NewItem): Record<string, unknown> {
  return { pk: item.pk, sk: item.sk, data: JSON.stringify(item.data), expiresAt: item.expiresAt ?? null };
}

function toItem(row: Row): Item {
  return {
    pk: row.pk,
    sk: row.sk,
    data: JSON.parse(row.data) as Data,
    expiresAt: row.expires_at ?? undefined,
    version: row.version,
  };
}

// Engine failures that mean "the store cannot answer now" rather than a bug in the request.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|CORRUPT|NOTADB|READONLY|PROTOCOL)/;

function translate(error: unknown): unknown {
  if (error instanceof ConditionFailedError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) {
    return new StoreUnavailableError(`sqlite: ${code}`, { cause: error });
  }
  return error;
}
