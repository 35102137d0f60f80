/**
 * The storage port. Every adapter (SQLite, DynamoDB) implements exactly this, and passes the
 * shared contract suite in `contract.ts`.
 *
 * The model is a sorted key-value table: an item lives at (pk, sk), carries a JSON object, a
 * version number bumped on every write, and an optional expiry. An item whose expiry has passed
 * is invisible to every read and every condition, even if the engine has not removed it yet.
 *
 * Every write is idempotent under retries. A write carries a write id (the caller's, or one the
 * adapter makes for the call); sent again with the same id after it landed (because its answer
 * was lost to a timeout or a cut connection, and the SDK, the adapter or the caller retried), it
 * resolves exactly as the first time did and changes nothing more: `create` with the item, never
 * ConditionFailedError; `update` with the item as that write left it; `delete` with true;
 * `increment` with the count that write produced, counted once; `transact` resolves. An adapter
 * recognises a write id for at least WRITE_ID_MEMORY_MS, as long as no other write has touched the
 * item since.
 */

export interface Key {
  readonly pk: string;
  readonly sk: string;
}

export type Data = Record<string, unknown>;

export interface Item<T extends Data = Data> extends Key {
  readonly data: T;
  /** Epoch milliseconds after which the item no longer exists; undefined = never. */
  readonly expiresAt?: number | undefined;
  /** 1 on creation, +1 on every update. */
  readonly version: number;
}

export interface NewItem<T extends Data = Data> extends Key {
  readonly data: T;
  readonly expiresAt?: number | undefined;
}

export interface Changes {
  /** Fields to set (shallow merge into data). */
  readonly set?: Data;
  /** Fields to remove from data. */
  readonly remove?: readonly string[];
  /** New expiry; null removes it, undefined keeps it. */
  readonly expiresAt?: number | null;
}

/** How long a write id is recognised after its write landed (DynamoDB keeps ClientRequestToken 10 minutes). */
export const WRITE_ID_MEMORY_MS = 10 * 60_000;

export interface WriteOptions {
  /**
   * Names this logical write. Pass the same id again to retry it; omitted, the adapter makes one
   * per call, and its own and the SDK's retries reuse it.
   */
  readonly writeId?: string;
}

export interface Condition extends WriteOptions {
  /** The write happens only if the live item has exactly this version. */
  readonly ifVersion?: number;
}

export type WriteOp =
  | { readonly type: 'create'; readonly item: NewItem }
  | { readonly type: 'update'; readonly key: Key; readonly changes: Changes; readonly ifVersion?: number }
  | { readonly type: 'delete'; readonly key: Key; readonly ifVersion?: number; readonly mustExist?: boolean }
  /** Writes nothing; the transaction happens only if the live item has this version. */
  | { readonly type: 'check'; readonly key: Key; readonly ifVersion: number };

export interface ListOptions {
  readonly prefix?: string;
  readonly limit?: number;
  /** Descending sort-key order. */
  readonly reverse?: boolean;
}

export interface Counter {
  readonly value: number;
  readonly expiresAt: number;
}

export interface Store {
  readonly name: string;
  /** The live item, or undefined when missing or expired. */
  get<T extends Data = Data>(key: Key): Promise<Item<T> | undefined>;
  /** Writes a new item; ConditionFailedError when a live item already holds the key. */
  create<T extends Data>(item: NewItem<T>, options?: WriteOptions): Promise<Item<T>>;
  /**
   * Writes unconditionally, replacing whatever was there: the version of a live item goes up by
   * one; over a missing or expired item it starts at 1.
   */
  put<T extends Data>(item: NewItem<T>, options?: WriteOptions): Promise<Item<T>>;
  /** Changes a live item; ConditionFailedError when missing, expired, or the version differs. */
  update<T extends Data = Data>(key: Key, changes: Changes, condition?: Condition): Promise<Item<T>>;
  /**
   * Removes an item. Resolves true when a live item was removed; false when there was none.
   * With ifVersion, ConditionFailedError when the live item's version differs.
   */
  delete(key: Key, condition?: Condition): Promise<boolean>;
  /**
   * Adds `by` to a counter and returns it. A missing or expired counter starts again from `by`
   * with the given expiry; a live one keeps its expiry. `get` reads a counter as `data.n`.
   */
  increment(key: Key, by: number, expiresAt: number, options?: WriteOptions): Promise<Counter>;
  /**
   * Live items under one partition key, in sort-key order (by code point, so characters beyond
   * U+FFFF sort after every other one and a prefix matches them like any other).
   */
  list<T extends Data = Data>(pk: string, options?: ListOptions): Promise<Item<T>[]>;
  /** All or nothing. ConditionFailedError (with the failing op's index, when known) on conflict. */
  transact(ops: readonly WriteOp[], options?: WriteOptions): Promise<void>;
  /** Resolves when the store answers; StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
  constructor(
    message = 'condition failed',
    readonly index?: number,
  ) {
    super(message);
  }
}

export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The store cannot work as configured (no such table, credentials refused, no region): no retry
 * will help, so it is said once, plainly, rather than answered as a passing outage.
 */
export class StoreMisconfiguredError extends StoreUnavailableError {
  override readonly name = 'StoreMisconfiguredError';
}

export const isConditionFailed = (error: unknown): error is ConditionFailedError => error instanceof ConditionFailedError;

/** 128 random bits, for a write that names itself. */
export function newWriteId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = '';
  for (const byte of bytes) id += byte.toString(16).padStart(2, '0');
  return id;
}
