import { type AttributeValue, ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { translateDynamoError } from './dynamodb-errors';
import {
  addInput,
  checkInput,
  createInput,
  fromRaw,
  isLive,
  LIVE_FILTER,
  type Raw,
  replaceInput,
  restartInput,
  tombstoneInput,
  updateInput,
} from './dynamodb-inputs';
import {
  type Changes,
  type Condition,
  ConditionFailedError,
  type Data,
  type Item,
  type Key,
  type NewItem,
  newWriteId,
  type Store,
  StoreUnavailableError,
  type WriteOp,
  type WriteOptions,
} from './store';

export interface DynamoStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  /** Epoch milliseconds; expiry is judged against it, never against the engine's TTL sweep. */
  readonly now?: () => number;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const TRANSACTION_RETRIES = 4;
const CONTENDED_RETRIES = 5;
const ALL_OLD = { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const;

/** The item a failed condition saw (DynamoDB returns it raw, even through the document client). */
const oldItem = (item: Record<string, AttributeValue> | undefined): Raw | undefined => (item ? (unmarshall(item) as Raw) : undefined);

/**
 * Runs a conditional write. When the condition fails because this very write landed before (its
 * answer was lost and it was sent again), the item carries this write's id: that is success.
 */
async function conditional<R>(
  send: () => Promise<R>,
  writeId: string,
): Promise<{ ok: true; result: R } | { ok: false; own: Raw | undefined; old: Raw | undefined }> {
  try {
    return { ok: true, result: await send() };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const old = oldItem(error.Item);
    return { ok: false, own: old?.w === writeId ? old : undefined, old };
  }
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));

/** The DynamoDB adapter: one table, every write conditional and idempotent, expiry checked on every read. */
export function dynamoStore({ client, table, now = Date.now }: DynamoStoreOptions): Store {
  const run = async <R>(fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (error) {
      throw translateDynamoError(error);
    }
  };
  const idOf = (options?: WriteOptions) => options?.writeId ?? newWriteId();

  const transactItem = (op: WriteOp, writeId: string, at: number): TransactItem => {
    switch (op.type) {
      case 'create':
        return { Put: { ...createInput(table, op.item, writeId, at), ...ALL_OLD } };
      case 'update':
        return { Update: { ...updateInput(table, op.key, op.changes, op.ifVersion, writeId, at), ...ALL_OLD } };
      case 'delete':
        return op.ifVersion === undefined && !op.mustExist
          ? { Delete: { TableName: table, Key: { pk: op.key.pk, sk: op.key.sk } } }
          : { Update: { ...tombstoneInput(table, op.key, op.ifVersion, writeId, at), ...ALL_OLD } };
      case 'check':
        return { ConditionCheck: checkInput(table, op.key, op.ifVersion, at) };
    }
  };

  return {
    name: 'dynamodb',

    get: <T extends Data>(key: Key) =>
      run(async () => {
        const { Item: raw } = await client.send(new GetCommand({ TableName: table, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
        return raw && isLive(raw as Raw, now()) ? (fromRaw(raw as Raw) as Item<T>) : undefined;
      }),

    create: <T extends Data>(item: NewItem<T>, options?: WriteOptions) =>
      run(async () => {
        const writeId = idOf(options);
        const outcome = await conditional(() => client.send(new PutCommand({ ...createInput(table, item, writeId, now()), ...ALL_OLD })), writeId);
        if (outcome.ok) return { ...item, version: 1 } as Item<T>;
        if (outcome.own) return fromRaw(outcome.own) as Item<T>;
        throw new ConditionFailedError(`item exists: ${item.pk} ${item.sk}`);
      }),

    put: <T extends Data>(item: NewItem<T>, options?: WriteOptions) =>
      run(async () => {
        const writeId = idOf(options);
        for (let attempt = 0; attempt < CONTENDED_RETRIES; attempt++) {
          const at = now();
          // A live item: replaced, one version up.
          const replaced = await conditional(
            () => client.send(new UpdateCommand({ ...replaceInput(table, item, writeId, at), ReturnValues: 'ALL_NEW', ...ALL_OLD })),
            writeId,
          );
          if (replaced.ok) return fromRaw(replaced.result.Attributes as Raw) as Item<T>;
          if (replaced.own) return fromRaw(replaced.own) as Item<T>;
          // None, or an expired one: a new item at version 1, unless another writer just made one.
          const created = await conditional(() => client.send(new PutCommand({ ...createInput(table, item, writeId, at), ...ALL_OLD })), writeId);
          if (created.ok) return { ...item, version: 1 } as Item<T>;
          if (created.own) return fromRaw(created.own) as Item<T>;
        }
        throw new StoreUnavailableError('dynamodb: put contention did not settle');
      }),

    update: <T extends Data>(key: Key, changes: Changes, condition?: Condition) =>
      run(async () => {
        const writeId = idOf(condition);
        const outcome = await conditional(
          () =>
            client.send(new UpdateCommand({ ...updateInput(table, key, changes, condition?.ifVersion, writeId, now()), ReturnValues: 'ALL_NEW', ...ALL_OLD })),
          writeId,
        );
        if (outcome.ok) return fromRaw(outcome.result.Attributes as Raw) as Item<T>;
        if (outcome.own) return fromRaw(outcome.own) as Item<T>;
        throw new ConditionFailedError(`not updated: ${key.pk} ${key.sk}`);
      }),

    delete: (key, condition) =>
      run(async () => {
        const writeId = idOf(condition);
        const strict = condition?.ifVersion !== undefined;
        const outcome = await conditional(
          () => client.send(new UpdateCommand({ ...tombstoneInput(table, key, condition?.ifVersion, writeId, now()), ...ALL_OLD })),
          writeId,
        );
        if (outcome.ok || outcome.own) return true;
        // Of many racing deletes exactly one is told it removed the item.
        if (strict && outcome.old && isLive(outcome.old, now())) throw new ConditionFailedError(`version mismatch: ${key.pk} ${key.sk}`);
        if (strict) throw new ConditionFailedError(`no item: ${key.pk} ${key.sk}`);
        return false;
      }),

    increment: (key, by, expiresAt, options) =>
      run(async () => {
        const writeId = idOf(options);
        for (let attempt = 0; attempt < CONTENDED_RETRIES; attempt++) {
          const at = now();
          const added = await conditional(
            () => client.send(new UpdateCommand({ ...addInput(table, key, by, expiresAt, writeId, at), ReturnValues: 'ALL_NEW', ...ALL_OLD })),
            writeId,
          );
          const counted = added.ok ? (added.result.Attributes as Raw) : added.own;
          if (counted) return { value: counted.n ?? 0, expiresAt: counted.exp ?? expiresAt };
          const restarted = await conditional(
            () => client.send(new PutCommand({ ...restartInput(table, key, by, expiresAt, writeId, at), ...ALL_OLD })),
            writeId,
          );
          if (restarted.ok) return { value: by, expiresAt };
          if (restarted.own) return { value: restarted.own.n ?? by, expiresAt: restarted.own.exp ?? expiresAt };
        }
        throw new StoreUnavailableError('dynamodb: counter contention did not settle');
      }),

    list: <T extends Data>(pk: string, options: { prefix?: string; limit?: number; reverse?: boolean } = {}) =>
      run(async () => {
        const at = now();
        const items: Item<T>[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: options.prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
              FilterExpression: LIVE_FILTER,
              ExpressionAttributeNames: { '#pk': 'pk', '#exp': 'exp', ...(options.prefix ? { '#sk': 'sk' } : {}) },
              ExpressionAttributeValues: { ':pk': pk, ':now': at, ...(options.prefix ? { ':prefix': options.prefix } : {}) },
              ScanIndexForward: !options.reverse,
              ConsistentRead: true,
              ExclusiveStartKey: start,
              ...(options.limit ? { Limit: options.limit - items.length } : {}),
            }),
          );
          for (const raw of (page.Items ?? []) as Raw[]) items.push(fromRaw(raw) as Item<T>);
          start = page.LastEvaluatedKey;
        } while (start && (!options.limit || items.length < options.limit));
        return options.limit ? items.slice(0, options.limit) : items;
      }),

    transact: (ops, options) =>
      run(async () => {
        const writeId = idOf(options);
        // One time for every attempt: DynamoDB recognises a ClientRequestToken sent again only
        // with the very same request.
        const at = now();
        const input = { ClientRequestToken: writeId, TransactItems: ops.map((op) => transactItem(op, writeId, at)) } as TransactWriteCommandInput;
        for (let attempt = 1; ; attempt++) {
          try {
            await client.send(new TransactWriteCommand(input));
            return;
          } catch (error) {
            if (!(error instanceof TransactionCanceledException)) throw error;
            const reasons = error.CancellationReasons ?? [];
            // Every item of a transaction that landed carries its id: a retry of it has nothing to do.
            if (reasons.some((reason) => oldItem(reason.Item)?.w === writeId)) return;
            const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
            if (failed >= 0) throw new ConditionFailedError(`transaction condition failed at ${failed}`, failed);
            // Another transaction held one of the items; a fresh attempt settles it one way or the other.
            if (attempt >= TRANSACTION_RETRIES || !reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
            await pause(attempt);
          }
        }
      }),

    ping: () =>
      run(async () => {
        await client.send(new GetCommand({ TableName: table, Key: { pk: '#ping', sk: '#ping' } }));
      }),

    close: async () => {
      client.destroy();
    },
  };
}
