import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConditionFailedError, type Store } from './store';

export interface ContractContext {
  /** The clock the store must judge expiry by. Tests move it forward. */
  readonly now: () => number;
}

/**
 * The one behaviour every Store adapter must have. Each test works under its own partition
 * keys, so one store instance (one DynamoDB table) serves the whole suite.
 */
export function runStoreContract(name: string, makeStore: (context: ContractContext) => Promise<Store> | Store): void {
  describe(`store contract: ${name}`, () => {
    let time = Date.UTC(2030, 0, 1);
    const now = () => time;
    const advance = (ms: number) => {
      time += ms;
    };
    let store: Store;
    let counter = 0;
    const pk = (label: string) => `T#${label}#${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

    beforeAll(async () => {
      store = await makeStore({ now });
    });
    afterAll(async () => {
      await store?.close();
    });

    it('creates an item and reads it back, version 1, data intact', async () => {
      const key = { pk: pk('create'), sk: 'A' };
      const data = { text: 'héllo ☃', n: 42, ok: true, nested: { list: [1, 'two', null] } };
      const created = await store.create({ ...key, data });
      expect(created.version).toBe(1);
      const read = await store.get(key);
      expect(read).toEqual({ ...key, data, expiresAt: undefined, version: 1 });
    });

    it('answers undefined for a missing item', async () => {
      expect(await store.get({ pk: pk('missing'), sk: 'nothing' })).toBeUndefined();
    });

    it('refuses to create over a live item and leaves it unchanged', async () => {
      const key = { pk: pk('dup'), sk: 'A' };
      await store.create({ ...key, data: { owner: 'first' } });
      await expect(store.create({ ...key, data: { owner: 'second' } })).rejects.toBeInstanceOf(ConditionFailedError);
      expect((await store.get(key))?.data).toEqual({ owner: 'first' });
    });

    it('creates over an item whose expiry has passed', async () => {
      const key = { pk: pk('reuse'), sk: 'A' };
      await store.create({ ...key, data: { gen: 1 }, expiresAt: time + 1_000 });
      advance(1_001);
      const created = await store.create({ ...key, data: { gen: 2 } });
      expect(created.version).toBe(1);
      expect(await store.get(key)).toMatchObject({ data: { gen: 2 }, version: 1, expiresAt: undefined });
    });

    it('enforces expiry on every read, whatever the engine has not yet removed', async () => {
      const p = pk('expiry');
      const key = { pk: p, sk: 'S#1' };
      const expiresAt = time + 5_000;
      await store.create({ ...key, data: { v: 1 }, expiresAt });
      await store.create({ pk: p, sk: 'S#2', data: { v: 2 } });
      expect((await store.get(key))?.expiresAt).toBe(expiresAt);
      advance(4_999);
      expect(await store.get(key)).toBeDefined();
      advance(1);
      expect(await store.get(key)).toBeUndefined();
      expect((await store.list(p)).map((item) => item.sk)).toEqual(['S#2']);
      await expect(store.update(key, { set: { v: 9 } })).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await store.delete(key)).toBe(false);
    });

    it('puts unconditionally and bumps the version of a live item', async () => {
      const key = { pk: pk('put'), sk: 'A' };
      expect((await store.put({ ...key, data: { a: 1 } })).version).toBe(1);
      expect((await store.put({ ...key, data: { b: 2 } })).version).toBe(2);
      expect(await store.get(key)).toMatchObject({ data: { b: 2 }, version: 2 });
    });

    it('updates: merges fields, removes fields, bumps the version, sets and clears expiry', async () => {
      const key = { pk: pk('update'), sk: 'A' };
      await store.create({ ...key, data: { a: 1, b: 2, c: 3 } });
      const updated = await store.update(key, { set: { a: 10, d: 4 }, remove: ['b'], expiresAt: time + 60_000 });
      expect(updated).toMatchObject({ data: { a: 10, c: 3, d: 4 }, version: 2, expiresAt: time + 60_000 });
      expect(await store.get(key)).toMatchObject({ data: { a: 10, c: 3, d: 4 }, version: 2, expiresAt: time + 60_000 });
      await store.update(key, { expiresAt: null });
      expect((await store.get(key))?.expiresAt).toBeUndefined();
      expect((await store.get(key))?.version).toBe(3);
    });

    it('update with a stale version fails and changes nothing', async () => {
      const key = { pk: pk('cas'), sk: 'A' };
      await store.create({ ...key, data: { n: 1 } });
      await store.update(key, { set: { n: 2 } }, { ifVersion: 1 });
      await expect(store.update(key, { set: { n: 3 } }, { ifVersion: 1 })).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await store.get(key)).toMatchObject({ data: { n: 2 }, version: 2 });
    });

    it('update of a missing item fails and creates nothing', async () => {
      const key = { pk: pk('nothing'), sk: 'A' };
      await expect(store.update(key, { set: { n: 1 } })).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await store.get(key)).toBeUndefined();
    });

    it('deletes: true once, then false; a stale version keeps the item', async () => {
      const key = { pk: pk('delete'), sk: 'A' };
      await store.create({ ...key, data: {} });
      await store.update(key, { set: { x: 1 } });
      await expect(store.delete(key, { ifVersion: 1 })).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await store.get(key)).toBeDefined();
      expect(await store.delete(key, { ifVersion: 2 })).toBe(true);
      expect(await store.delete(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
    });

    it('counts atomically, keeps the window, and starts again once it expires', async () => {
      const key = { pk: pk('count'), sk: 'C' };
      const end = time + 10_000;
      expect(await store.increment(key, 1, end)).toEqual({ value: 1, expiresAt: end });
      expect(await store.increment(key, 2, end + 99_999)).toEqual({ value: 3, expiresAt: end });
      advance(10_000);
      expect(await store.increment(key, 1, time + 5_000)).toEqual({ value: 1, expiresAt: time + 5_000 });
    });

    it('lists one owner by prefix, in order, reversed, limited, and nothing of another owner', async () => {
      const owner = pk('owner');
      const other = pk('other');
      for (const sk of ['S#b', 'S#a', 'S#c', 'SX#z', 'R#1']) await store.create({ pk: owner, sk, data: { sk } });
      await store.create({ pk: other, sk: 'S#a', data: {} });
      const sks = async (options?: Parameters<Store['list']>[1]) => (await store.list(owner, options)).map((i) => i.sk);
      expect(await sks({ prefix: 'S#' })).toEqual(['S#a', 'S#b', 'S#c']);
      expect(await sks({ prefix: 'S#', reverse: true })).toEqual(['S#c', 'S#b', 'S#a']);
      expect(await sks({ prefix: 'S#', reverse: true, limit: 2 })).toEqual(['S#c', 'S#b']);
      expect(await sks()).toEqual(['R#1', 'S#a', 'S#b', 'S#c', 'SX#z']);
      expect(await store.list(pk('empty'))).toEqual([]);
    });

    it('applies a transaction whole, or not at all', async () => {
      const p = pk('tx');
      await store.create({ pk: p, sk: 'taken', data: { v: 0 } });
      await store.create({ pk: p, sk: 'gone', data: {} });
      await store.create({ pk: p, sk: 'kept', data: {} });
      await expect(
        store.transact([
          { type: 'create', item: { pk: p, sk: 'new', data: {} } },
          { type: 'delete', key: { pk: p, sk: 'gone' } },
          { type: 'create', item: { pk: p, sk: 'taken', data: { v: 1 } } },
        ]),
      ).rejects.toMatchObject({ name: 'ConditionFailedError', index: 2 });
      expect((await store.list(p)).map((i) => i.sk)).toEqual(['gone', 'kept', 'taken']);
      expect((await store.get({ pk: p, sk: 'taken' }))?.data).toEqual({ v: 0 });

      await store.transact([
        { type: 'create', item: { pk: p, sk: 'new', data: { a: 1 } } },
        { type: 'update', key: { pk: p, sk: 'taken' }, changes: { set: { v: 2 } }, ifVersion: 1 },
        { type: 'delete', key: { pk: p, sk: 'gone' }, mustExist: true },
        { type: 'check', key: { pk: p, sk: 'kept' }, ifVersion: 1 },
      ]);
      expect((await store.list(p)).map((i) => [i.sk, i.version])).toEqual([
        ['kept', 1],
        ['new', 1],
        ['taken', 2],
      ]);
      await expect(
        store.transact([
          { type: 'create', item: { pk: p, sk: 'other', data: {} } },
          { type: 'delete', key: { pk: p, sk: 'gone' }, mustExist: true },
        ]),
      ).rejects.toMatchObject({ name: 'ConditionFailedError', index: 1 });
      expect(await store.get({ pk: p, sk: 'other' })).toBeUndefined();
    });

    it('lets exactly one of 50 concurrent writers create the same key', async () => {
      const key = { pk: pk('race'), sk: 'A' };
      const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.create({ ...key, data: { writer: i } })));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const lost = results.filter((r) => r.status === 'rejected');
      expect(lost.every((r) => (r as PromiseRejectedResult).reason instanceof ConditionFailedError)).toBe(true);
      const winner = (won[0] as PromiseFulfilledResult<{ data: { writer: number } }>).value.data.writer;
      expect((await store.get(key))?.data).toEqual({ writer: winner });
    });

    it('loses no increment among 50 concurrent writers', async () => {
      const key = { pk: pk('race-count'), sk: 'C' };
      const results = await Promise.all(Array.from({ length: 50 }, () => store.increment(key, 1, time + 60_000)));
      expect(results.map((r) => r.value).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect((await store.increment(key, 0, time + 60_000)).value).toBe(50);
    });

    it('lets exactly one of 20 concurrent writers update from the same version', async () => {
      const key = { pk: pk('race-cas'), sk: 'A' };
      await store.create({ ...key, data: { owner: 'none' } });
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.update(key, { set: { owner: `w${i}` } }, { ifVersion: 1 })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.get(key))?.version).toBe(2);
    });

    it('reports exactly one of 20 concurrent deletes as the one that removed the item', async () => {
      const key = { pk: pk('race-delete'), sk: 'A' };
      await store.create({ ...key, data: {} });
      const results = await Promise.all(Array.from({ length: 20 }, () => store.delete(key)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('lets a transaction depend on the version of an item it does not write', async () => {
      const p = pk('tx-check');
      await store.create({ pk: p, sk: 'user', data: { v: 1 } });
      await store.update({ pk: p, sk: 'user' }, { set: { v: 2 } });
      await expect(
        store.transact([
          { type: 'create', item: { pk: p, sk: 'session', data: {} } },
          { type: 'check', key: { pk: p, sk: 'user' }, ifVersion: 1 },
        ]),
      ).rejects.toMatchObject({ name: 'ConditionFailedError', index: 1 });
      expect(await store.get({ pk: p, sk: 'session' })).toBeUndefined();
      await expect(store.transact([{ type: 'check', key: { pk: p, sk: 'missing' }, ifVersion: 1 }])).rejects.toBeInstanceOf(ConditionFailedError);
      await store.transact([
        { type: 'create', item: { pk: p, sk: 'session', data: {} } },
        { type: 'check', key: { pk: p, sk: 'user' }, ifVersion: 2 },
      ]);
      expect(await store.get({ pk: p, sk: 'session' })).toBeDefined();
      expect((await store.get({ pk: p, sk: 'user' }))?.version).toBe(2);
    });

    it('puts over an expired item as over a missing one: version 1', async () => {
      const key = { pk: pk('put-expired'), sk: 'A' };
      await store.put({ ...key, data: { a: 1 }, expiresAt: time + 1_000 });
      await store.put({ ...key, data: { a: 2 }, expiresAt: time + 1_000 });
      advance(1_000);
      expect((await store.put({ ...key, data: { a: 3 } })).version).toBe(1);
      expect(await store.get(key)).toMatchObject({ data: { a: 3 }, version: 1, expiresAt: undefined });
    });

    it('reads a counter back through get as data.n', async () => {
      const key = { pk: pk('counter-read'), sk: 'C' };
      await store.increment(key, 2, time + 10_000);
      await store.increment(key, 3, time + 10_000);
      expect(await store.get(key)).toMatchObject({ data: { n: 5 }, expiresAt: time + 10_000 });
      expect(await store.delete(key)).toBe(true);
      expect(await store.get(key)).toBeUndefined();
      expect(await store.increment(key, 1, time + 5_000)).toEqual({ value: 1, expiresAt: time + 5_000 });
    });

    it('lists by prefix in code point order, characters beyond U+FFFF included', async () => {
      const owner = pk('unicode');
      for (const sk of ['S#😀', 'S#a', 'S#\uffff', 'S#é', 'T#a', 'R#😀']) await store.create({ pk: owner, sk, data: {} });
      expect((await store.list(owner, { prefix: 'S#' })).map((i) => i.sk)).toEqual(['S#a', 'S#é', 'S#\uffff', 'S#😀']);
      expect((await store.list(owner, { prefix: 'S#😀' })).map((i) => i.sk)).toEqual(['S#😀']);
      expect((await store.list(owner, { prefix: 'S#', reverse: true, limit: 1 })).map((i) => i.sk)).toEqual(['S#😀']);
    });

    describe('a write sent again with its write id (its answer lost) is recognised as its own', () => {
      it('create: resolves with the item, stored once; another writer still fails', async () => {
        const key = { pk: pk('again-create'), sk: 'A' };
        const first = await store.create({ ...key, data: { n: 1 } }, { writeId: 'w-create-1' });
        const again = await store.create({ ...key, data: { n: 1 } }, { writeId: 'w-create-1' });
        expect(again).toMatchObject({ ...key, data: { n: 1 }, version: 1 });
        expect(first.version).toBe(1);
        await expect(store.create({ ...key, data: { n: 2 } }, { writeId: 'w-create-2' })).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(key)).toMatchObject({ data: { n: 1 }, version: 1 });
      });

      it('update: applied once, the version up by one, whether or not it named a version', async () => {
        const key = { pk: pk('again-update'), sk: 'A' };
        await store.create({ ...key, data: { n: 0 } });
        const first = await store.update(key, { set: { n: 1 } }, { ifVersion: 1, writeId: 'w-up-1' });
        const again = await store.update(key, { set: { n: 1 } }, { ifVersion: 1, writeId: 'w-up-1' });
        expect(again).toMatchObject({ data: { n: 1 }, version: 2 });
        expect(first).toMatchObject({ data: { n: 1 }, version: 2 });
        await store.update(key, { set: { m: 1 } }, { writeId: 'w-up-2' });
        await store.update(key, { set: { m: 1 } }, { writeId: 'w-up-2' });
        expect(await store.get(key)).toMatchObject({ data: { n: 1, m: 1 }, version: 3 });
        await expect(store.update(key, { set: { n: 9 } }, { ifVersion: 1, writeId: 'w-up-3' })).rejects.toBeInstanceOf(ConditionFailedError);
      });

      it('delete: true both times; a different writer is told it removed nothing', async () => {
        const key = { pk: pk('again-delete'), sk: 'A' };
        await store.create({ ...key, data: {} });
        expect(await store.delete(key, { writeId: 'w-del-1' })).toBe(true);
        expect(await store.delete(key, { writeId: 'w-del-1' })).toBe(true);
        expect(await store.delete(key, { writeId: 'w-del-2' })).toBe(false);
        expect(await store.get(key)).toBeUndefined();
        expect((await store.create({ ...key, data: { again: true } })).version).toBe(1);
      });

      it('delete with a version: true both times', async () => {
        const key = { pk: pk('again-delete-v'), sk: 'A' };
        await store.create({ ...key, data: {} });
        expect(await store.delete(key, { ifVersion: 1, writeId: 'w-delv-1' })).toBe(true);
        expect(await store.delete(key, { ifVersion: 1, writeId: 'w-delv-1' })).toBe(true);
        await expect(store.delete(key, { ifVersion: 1, writeId: 'w-delv-2' })).rejects.toBeInstanceOf(ConditionFailedError);
      });

      it('increment: counted once, the same count answered', async () => {
        const key = { pk: pk('again-count'), sk: 'C' };
        const end = time + 60_000;
        expect(await store.increment(key, 1, end, { writeId: 'w-inc-1' })).toEqual({ value: 1, expiresAt: end });
        expect(await store.increment(key, 1, end, { writeId: 'w-inc-1' })).toEqual({ value: 1, expiresAt: end });
        expect(await store.increment(key, 1, end, { writeId: 'w-inc-2' })).toEqual({ value: 2, expiresAt: end });
        expect(await store.increment(key, 1, end, { writeId: 'w-inc-2' })).toEqual({ value: 2, expiresAt: end });
        expect((await store.get(key))?.data).toEqual({ n: 2 });
      });

      it('put: the version up by one', async () => {
        const key = { pk: pk('again-put'), sk: 'A' };
        await store.put({ ...key, data: { a: 1 } }, { writeId: 'w-put-1' });
        await store.put({ ...key, data: { a: 1 } }, { writeId: 'w-put-1' });
        expect((await store.get(key))?.version).toBe(1);
        await store.put({ ...key, data: { a: 2 } }, { writeId: 'w-put-2' });
        await store.put({ ...key, data: { a: 2 } }, { writeId: 'w-put-2' });
        expect(await store.get(key)).toMatchObject({ data: { a: 2 }, version: 2 });
      });

      it('transact: resolves again, applied once', async () => {
        const p = pk('again-tx');
        await store.create({ pk: p, sk: 'counted', data: { n: 0 } });
        const ops = [
          { type: 'create', item: { pk: p, sk: 'user', data: { name: 'a' } } },
          { type: 'create', item: { pk: p, sk: 'claim', data: { user: 'a' } } },
          { type: 'update', key: { pk: p, sk: 'counted' }, changes: { set: { n: 1 } }, ifVersion: 1 },
        ] as const;
        await store.transact(ops, { writeId: 'w-tx-1' });
        await store.transact(ops, { writeId: 'w-tx-1' });
        expect((await store.list(p)).map((i) => [i.sk, i.version])).toEqual([
          ['claim', 1],
          ['counted', 2],
          ['user', 1],
        ]);
        await expect(store.transact(ops, { writeId: 'w-tx-2' })).rejects.toBeInstanceOf(ConditionFailedError);
      });
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
