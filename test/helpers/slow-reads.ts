import type { Data, Key, Store } from '../../src/store/store';

/**
 * The store, answering every read a moment late (one turn of the event loop), as a store across a
 * network does: requests sent together all read before any of them writes, on every adapter.
 */
export function slowReads(store: Store): Store {
  return {
    ...store,
    get: async <T extends Data = Data>(key: Key) => {
      const item = await store.get<T>(key);
      await new Promise((resolve) => setTimeout(resolve, 0));
      return item;
    },
  };
}
