import type { Changes, Data, Item, Key, NewItem } from './store';
import { WRITE_ID_MEMORY_MS } from './store';

/**
 * Attributes of an item: pk, sk (the key), d (the data map), v (version), w (the id of the last
 * write, so a retried write knows its own work), exp (expiry, epoch ms, checked by every read and
 * condition) and ttl (the same expiry in epoch seconds, for DynamoDB's TTL sweep, which may run
 * days late). Counters keep their value in a top-level `n` so that ADD can change it atomically.
 * A deleted item is a tombstone for a while: exp 0 (invisible to every read and condition) and the
 * deleting write's id, so a retried delete still knows it was the one that removed the item.
 */
export interface Raw {
  pk: string;
  sk: string;
  d?: Data;
  v: number;
  w?: string;
  exp?: number;
  ttl?: number;
  n?: number;
}

type Names = Record<string, string>;
type Values = Record<string, unknown>;

export interface Expression {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Names;
  readonly ExpressionAttributeValues: Values;
}

export const fromRaw = (raw: Raw): Item => ({
  pk: raw.pk,
  sk: raw.sk,
  data: raw.d ?? (raw.n !== undefined ? { n: raw.n } : {}),
  expiresAt: raw.exp,
  version: raw.v,
});

export const isLive = (raw: Raw, at: number) => raw.exp === undefined || raw.exp > at;

const LIVE = '(attribute_not_exists(#exp) OR #exp > :now)';
export const LIVE_FILTER = LIVE;
const EXISTS_AND_LIVE = `(attribute_exists(#pk) AND ${LIVE})`;
const ABSENT_OR_EXPIRED = '(attribute_not_exists(#pk) OR #exp <= :now)';
// A write sent again after it landed fails this, and then finds its own id in the old item.
const NOT_THIS_WRITE = '(attribute_not_exists(#w) OR #w <> :w)';

const ttlOf = (expiresAt: number) => Math.ceil(expiresAt / 1000);

/** Keeps only the placeholders an expression uses: DynamoDB refuses unused ones. */
function used<V>(placeholders: Record<string, V>, expression: string): Record<string, V> {
  const tokens = new Set(expression.match(/[#:]\w+/g));
  return Object.fromEntries(Object.entries(placeholders).filter(([name]) => tokens.has(name)));
}

function expression(condition: string, names: Names, values: Values): Expression;
function expression(condition: string, names: Names, values: Values, update: string): Expression & { UpdateExpression: string };
function expression(condition: string, names: Names, values: Values, update = ''): Expression & { UpdateExpression?: string } {
  const all = `${update} ${condition}`;
  return {
    ...(update ? { UpdateExpression: update } : {}),
    ConditionExpression: condition,
    ExpressionAttributeNames: used({ '#pk': 'pk', '#exp': 'exp', '#ttl': 'ttl', '#v': 'v', '#w': 'w', '#d': 'd', '#n': 'n', ...names }, all),
    ExpressionAttributeValues: used(values, all),
  };
}

/** A whole new item, version 1, where no live item is. */
export function createInput(table: string, item: NewItem, writeId: string, at: number) {
  return {
    TableName: table,
    Item: { pk: item.pk, sk: item.sk, d: item.data, v: 1, w: writeId, ...expiryAttributes(item.expiresAt) },
    ...expression(`${ABSENT_OR_EXPIRED} AND ${NOT_THIS_WRITE}`, {}, { ':now': at, ':w': writeId }),
  };
}

export const expiryAttributes = (expiresAt: number | undefined) => (expiresAt === undefined ? {} : { exp: expiresAt, ttl: ttlOf(expiresAt) });

/** Replaces data and expiry of a live item, one version up. */
export function replaceInput(table: string, item: NewItem, writeId: string, at: number) {
  const values: Values = { ':d': item.data, ':one': 1, ':now': at, ':w': writeId };
  let update = 'SET #d = :d, #v = #v + :one, #w = :w';
  if (item.expiresAt === undefined) {
    update += ' REMOVE #exp, #ttl, #n';
  } else {
    update += ', #exp = :exp, #ttl = :ttl REMOVE #n';
    Object.assign(values, { ':exp': item.expiresAt, ':ttl': ttlOf(item.expiresAt) });
  }
  return { TableName: table, Key: keyOf(item), ...expression(`${EXISTS_AND_LIVE} AND ${NOT_THIS_WRITE}`, {}, values, update) };
}

export function updateInput(table: string, key: Key, changes: Changes, ifVersion: number | undefined, writeId: string, at: number) {
  const names: Names = {};
  const values: Values = { ':now': at, ':one': 1, ':w': writeId };
  const sets = ['#v = #v + :one', '#w = :w'];
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
    Object.assign(values, { ':exp': changes.expiresAt, ':ttl': ttlOf(changes.expiresAt) });
  }
  let condition = `${EXISTS_AND_LIVE} AND ${NOT_THIS_WRITE}`;
  if (ifVersion !== undefined) {
    condition += ' AND #v = :version';
    values[':version'] = ifVersion;
  }
  const update = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
  return { TableName: table, Key: keyOf(key), ...expression(condition, names, values, update) };
}

/** Turns a live item into a tombstone that remembers the deleting write. */
export function tombstoneInput(table: string, key: Key, ifVersion: number | undefined, writeId: string, at: number) {
  const values: Values = { ':now': at, ':w': writeId, ':zero': 0, ':one': 1, ':ttl': ttlOf(at + WRITE_ID_MEMORY_MS) + 60 };
  let condition = `${EXISTS_AND_LIVE} AND ${NOT_THIS_WRITE}`;
  if (ifVersion !== undefined) {
    condition += ' AND #v = :version';
    values[':version'] = ifVersion;
  }
  const update = 'SET #exp = :zero, #ttl = :ttl, #w = :w, #v = #v + :one REMOVE #d, #n';
  return { TableName: table, Key: keyOf(key), ...expression(condition, {}, values, update) };
}

/** Only a condition on a live item's version, for a transaction. */
export function checkInput(table: string, key: Key, ifVersion: number, at: number) {
  return { TableName: table, Key: keyOf(key), ...expression(`${EXISTS_AND_LIVE} AND #v = :version`, {}, { ':now': at, ':version': ifVersion }) };
}

/** Adds to a live (or missing) counter, keeping the window it started with. */
export function addInput(table: string, key: Key, by: number, expiresAt: number, writeId: string, at: number) {
  const update = 'SET #exp = if_not_exists(#exp, :exp), #ttl = if_not_exists(#ttl, :ttl), #v = if_not_exists(#v, :zero) + :one, #w = :w ADD #n :by';
  const values = { ':exp': expiresAt, ':ttl': ttlOf(expiresAt), ':zero': 0, ':one': 1, ':by': by, ':now': at, ':w': writeId };
  return { TableName: table, Key: keyOf(key), ...expression(`(attribute_not_exists(#pk) OR #exp > :now) AND ${NOT_THIS_WRITE}`, {}, values, update) };
}

/** Starts a new window over an expired counter (or a tombstone). */
export function restartInput(table: string, key: Key, by: number, expiresAt: number, writeId: string, at: number) {
  return {
    TableName: table,
    Item: { pk: key.pk, sk: key.sk, n: by, v: 1, w: writeId, exp: expiresAt, ttl: ttlOf(expiresAt) },
    ...expression(`#exp <= :now AND ${NOT_THIS_WRITE}`, {}, { ':now': at, ':w': writeId }),
  };
}

const keyOf = (key: Key) => ({ pk: key.pk, sk: key.sk });
