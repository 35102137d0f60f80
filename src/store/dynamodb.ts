import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ConditionFailedError,
  StoreUnavailableError,
  type Changes,
  type Condition,
  type Data,
  type Item,
  type Key,
  type NewItem,
  type Store,
  type WriteOp,
} from './store';

export interface DynamoStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  /** Epoch milliseconds; expiry is judged against it, never against the engine's TTL sweep. */
  readonly now?: () => number;
}

/**
 * Attributes of an item: pk, sk (the key), d (the data map), v (version), exp (expiry, epoch ms,
 * checked by every read and condition) and ttl (the same expiry in epoch seconds, for DynamoDB's
 * TTL sweep, which may run days late). Counters keep their value in a top-level `n` so that ADD
 * can change it atomically.
 */
interface Raw {
  pk: string;
  sk: string;
  d?: Data;
  v: number;
  exp?: number;
  ttl?: number;
  n?: number;
}

type Names = Record<string, string>;
type Values = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const NAMES = { '#pk': 'pk', '#d': 'd', '#v': 'v', '#exp': 'exp', '#ttl': 'ttl' };
const LIVE = '(attribute_not_exists(#exp) OR #exp > :now)';
const EXISTS_AND_LIVE = `(attribute_exists(#pk) AND ${LIVE})`;
const ABSENT_OR_EXPIRED = '(attribute_not_exists(#pk) OR #exp <= :now)';
const TRANSACTION_RETRIES = 4;
const COUNTER_RETRIES = 5;

/** The DynamoDB adapter: one table, every write conditional, expiry checked on every read. */
export function dynamoStore({ client, table, now = Date.now }: DynamoStoreOptions): Store {
  const run = async <R>(fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (error) {
      throw translate(error);
    }
  };

  const fromRaw = (raw: Raw): Item => ({
    pk: raw.pk,
    sk: raw.sk,
    data: raw.d ?? (raw.n !== undefined ? { n: raw.n } : {}),
    expiresAt: raw.exp,
    version: raw.v,
  });
  const isLive = (raw: Raw, at: number) => raw.exp === undefined || raw.exp > at;

  const expiry = (expiresAt: number | undefined) =>
    expiresAt === undefined ? {} : { exp: expiresAt, ttl: Math.ceil(expiresAt / 1000) };

  const createInput = (item: NewItem, at: number) => ({
    TableName: table,
    Item: { pk: item.pk, sk: item.sk, d: item.data, v: 1, ...expiry(item.expiresAt) },
    ConditionExpression: ABSENT_OR_EXPIRED,
    ExpressionAttributeNames: { '#pk': 'pk', '#exp': 'exp' },
    ExpressionAttributeValues: { ':now': at },
  });

  // An unconditional write that still counts versions: the data and expiry are replaced whole.
  const putInput = (item: NewItem) => {
    const values: Values = { ':d': item.data, ':zero': 0, ':one': 1 };
    let expression = 'SET #d = :d, #v = if_not_exists(#v, :zero) + :one';
    if (item.expiresAt === undefined) {
      expression += ' REMOVE #exp, #ttl';
    } else {
      expression += ', #exp = :exp, #ttl = :ttl';
      Object.assign(values, { ':exp': item.expiresAt, ':ttl': Math.ceil(item.expiresAt / 1000) });
    }
    return {
      TableName: table,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: expression,
      ExpressionAttributeNames: { '#d': 'd', '#v': 'v', '#exp': 'exp', '#ttl': 'ttl' },
      ExpressionAttributeValues: values,
    };
  };

  const updateInput = (key: Key, changes: Changes, ifVersion: number | undefined, at: number) => {
    const names: Names = { ...NAMES };
    const values: Values = { ':now': at, ':one': 1 };
    const sets = ['#v = #v + :one'];
    const removes: string[] = [];
    Object.entries(changes.set ?? {}).forEach(([field, value], i) => {
      names[`#s${i}`] = field;
      values[`:s${i}`] = value;
      sets.push(`#d.#s${i} = :s${i}`);
    });
    (changes.remove ?? []).forEach((field, i) => {
      names[`#r${i}`] = field;
      removes.push(`#d.#r${i}`);
    });
    if (changes.expiresAt === null) {
      removes.push('#exp', '#ttl');
    } else if (changes.expiresAt !== undefined) {
      sets.push('#exp = :exp', '#ttl = :ttl');
      Object.assign(values, { ':exp': changes.expiresAt, ':ttl': Math.ceil(changes.expiresAt / 1000) });
    }
    let condition = EXISTS_AND_LIVE;
    if (ifVersion !== undefined) {
      condition += ' AND #v = :version';
      values[':version'] = ifVersion;
    }
    const expressions = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
    return {
      TableName: table,
      Key: { pk: key.pk, sk: key.sk },
      UpdateExpression: expressions,
      ConditionExpression: condition,
      // DynamoDB refuses placeholders that no expression uses.
      ExpressionAttributeNames: used(names, `${expressions} ${condition}`),
      ExpressionAttributeValues: used(values, `${expressions} ${condition}`),
    };
  };

  const deleteInput = (key: Key, condition: { ifVersion?: number | undefined; mustExist?: boolean | undefined }, at: number) => {
    if (condition.ifVersion === undefined && !condition.mustExist) return { TableName: table, Key: { pk: key.pk, sk: key.sk } };
    const values: Values = { ':now': at };
    let expression = EXISTS_AND_LIVE;
    if (condition.ifVersion !== undefined) {
      expression += ' AND #v = :version';
      values[':version'] = condition.ifVersion;
    }
    return {
      TableName: table,
      Key: { pk: key.pk, sk: key.sk },
      ConditionExpression: expression,
      ExpressionAttributeNames: { '#pk': 'pk', '#exp': 'exp', ...(condition.ifVersion !== undefined ? { '#v': 'v' } : {}) },
      ExpressionAttributeValues: values,
    };
  };

  const transactItem = (op: WriteOp, at: number): TransactItem => {
    switch (op.type) {
      case 'create':
        return { Put: createInput(op.item, at) };
      case 'put':
        return { Update: putInput(op.item) };
      case 'update':
        return { Update: updateInput(op.key, op.changes, op.ifVersion, at) };
      case 'delete':
        return { Delete: deleteInput(op.key, op, at) };
    }
  };

  return {
    name: 'dynamodb',

    get: <T extends Data>(key: Key) =>
      run(async () => {
        const { Item: raw } = await client.send(
          new GetCommand({ TableName: table, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
        );
        return raw && isLive(raw as Raw, now()) ? (fromRaw(raw as Raw) as Item<T>) : undefined;
      }),

    create: (item) =>
      run(async () => {
        await client.send(new PutCommand(createInput(item, now())));
        return { ...item, version: 1 };
      }),

    put: (item) =>
      run(async () => {
        const { Attributes } = await client.send(new UpdateCommand({ ...putInput(item), ReturnValues: 'UPDATED_NEW' }));
        return { ...item, version: (Attributes as Raw).v };
      }),

    update: <T extends Data>(key: Key, changes: Changes, condition?: Condition) =>
      run(async () => {
        const { Attributes } = await client.send(
          new UpdateCommand({ ...updateInput(key, changes, condition?.ifVersion, now()), ReturnValues: 'ALL_NEW' }),
        );
        return fromRaw(Attributes as Raw) as Item<T>;
      }),

    delete: (key, condition) =>
      run(async () => {
        const at = now();
        const input = deleteInput(key, condition ?? {}, at);
        try {
          // Conditional even when the caller asked for none, so that of many racing deletes
          // exactly one is told it removed the item.
          const { Attributes } = await client.send(
            new DeleteCommand({
              ...input,
              ConditionExpression: input.ConditionExpression ?? 'attribute_exists(#pk)',
              ExpressionAttributeNames: input.ExpressionAttributeNames ?? { '#pk': 'pk' },
              ReturnValues: 'ALL_OLD',
            }),
          );
          return Attributes !== undefined && isLive(Attributes as Raw, at);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException) || condition?.ifVersion !== undefined) throw error;
          return false;
        }
      }),

    increment: (key, by, expiresAt) =>
      run(async () => {
        for (let attempt = 0; attempt < COUNTER_RETRIES; attempt++) {
          const at = now();
          try {
            // A live (or new) counter: add atomically, keep the window it started with.
            const { Attributes } = await client.send(
              new UpdateCommand({
                TableName: table,
                Key: { pk: key.pk, sk: key.sk },
                UpdateExpression: 'SET #exp = if_not_exists(#exp, :exp), #ttl = if_not_exists(#ttl, :ttl), #v = if_not_exists(#v, :zero) + :one ADD #n :by',
                ConditionExpression: `attribute_not_exists(#pk) OR #exp > :now`,
                ExpressionAttributeNames: { '#pk': 'pk', '#exp': 'exp', '#ttl': 'ttl', '#v': 'v', '#n': 'n' },
                ExpressionAttributeValues: { ':exp': expiresAt, ':ttl': Math.ceil(expiresAt / 1000), ':zero': 0, ':one': 1, ':by': by, ':now': at },
                ReturnValues: 'ALL_NEW',
              }),
            );
            const raw = Attributes as Raw;
            return { value: raw.n ?? 0, expiresAt: raw.exp ?? expiresAt };
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }
          try {
            // An expired counter: start a new window, unless another writer just did.
            await client.send(
              new PutCommand({
                TableName: table,
                Item: { pk: key.pk, sk: key.sk, n: by, v: 1, exp: expiresAt, ttl: Math.ceil(expiresAt / 1000) },
                ConditionExpression: '#exp <= :now',
                ExpressionAttributeNames: { '#exp': 'exp' },
                ExpressionAttributeValues: { ':now': at },
              }),
            );
            return { value: by, expiresAt };
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }
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
              FilterExpression: LIVE,
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

    transact: (ops) =>
      run(async () => {
        for (let attempt = 1; ; attempt++) {
          const at = now();
          try {
            await client.send(new TransactWriteCommand({ TableName: table, TransactItems: ops.map((op) => transactItem(op, at)) } as TransactWriteCommandInput));
            return;
          } catch (error) {
            if (!(error instanceof TransactionCanceledException)) throw error;
            const reasons = error.CancellationReasons ?? [];
            const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
            if (failed >= 0) throw new ConditionFailedError(`transaction condition failed at ${failed}`, failed);
            // Another transaction held one of the items; a fresh attempt settles it one way or the other.
            if (attempt >= TRANSACTION_RETRIES || !reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
            await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
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

function used<V>(placeholders: Record<string, V>, expression: string): Record<string, V> {
  const tokens = new Set(expression.match(/[#:]\w+/g));
  return Object.fromEntries(Object.entries(placeholders).filter(([name]) => tokens.has(name)));
}

// Errors that mean the store cannot answer now, as opposed to a bug in the request.
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ResourceNotFoundException',
  'UnrecognizedClientException',
  'TransactionCanceledException',
]);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

function translate(error: unknown): unknown {
  if (error instanceof ConditionFailedError || error instanceof StoreUnavailableError) return error;
  if (error instanceof ConditionalCheckFailedException) return new ConditionFailedError(error.message);
  const { name, code, $metadata } = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (
    (name && UNAVAILABLE_NAMES.has(name)) ||
    (code && UNAVAILABLE_CODES.has(code)) ||
    ($metadata?.httpStatusCode ?? 0) >= 500 ||
    (error instanceof AggregateError && error.errors.some((inner) => UNAVAILABLE_CODES.has((inner as { code?: string }).code ?? '')))
  ) {
    return new StoreUnavailableError(`dynamodb: ${name ?? code ?? 'unavailable'}`, { cause: error });
  }
  return error;
}
