/**
 * The storage port. Every adapter (SQLite, DynamoDB) implements exactly this, and passes the
 * shared contract suite in `contract.ts`.
 *
 * The model is a sorted key-value table: an item lives at (pk, sk), carries a JSON object, a
 * version number bumped on every write, and an optional expiry. An item whose expiry has passed
 * is invisible to every read and every condition, even if the engine has not removed it yet.
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

export interface Condition {
  /** The write happens only if the live item has exactly this version. */
  readonly ifVersion?: number;
}

export type WriteOp =
  | { readonly type: 'create'; readonly item: NewItem }
  | { readonly type: 'put'; readonly item: NewItem }
  | { readonly type: 'update'; readonly key: Key; readonly changes: Changes; readonly ifVersion?: number }
  | { readonly type: 'delete'; readonly key: Key; readonly ifVersion?: number; readonly mustExist?: boolean };

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
  create<T extends Data>(item: NewItem<T>): Promise<Item<T>>;
  /** Writes unconditionally, replacing whatever was there. */
  put<T extends Data>(item: NewItem<T>): Promise<Item<T>>;
  /** Changes a live item; ConditionFailedError when missing, expired, or the version differs. */
  update<T extends Data = Data>(key: Key, changes: Changes, condition?: Condition): Promise<Item<T>>;
  /**
   * Removes an item. Resolves true when a live item was removed; false when there was none.
   * With ifVersion, ConditionFailedError when the live item's version differs.
   */
  delete(key: Key, condition?: Condition): Promise<boolean>;
  /**
   * Adds `by` to a counter and returns it. A missing or expired counter starts again from `by`
   * with the given expiry; a live one keeps its expiry.
   */
  increment(key: Key, by: number, expiresAt: number): Promise<Counter>;
  /** Live items under one partition key, in sort-key order. */
  list<T extends Data = Data>(pk: string, options?: ListOptions): Promise<Item<T>[]>;
  /** All or nothing. ConditionFailedError (with the failing op's index, when known) on conflict. */
  transact(ops: readonly WriteOp[]): Promise<void>;
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
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const isConditionFailed = (error: unknown): error is ConditionFailedError =>
  error instanceof ConditionFailedError;
