import type { Data, Key, ListOptions, Store } from '../../src/store/store';
import { StoreUnavailableError } from '../../src/store/store';
import { makeTestApp, type TestApp } from './app';
import type { StoreFactory } from './stores';

/** A read the store is asked for. */
export type StoreRead =
  | { readonly method: 'get'; readonly key: Key }
  | { readonly method: 'list'; readonly pk: string; readonly options?: ListOptions | undefined };

/**
 * The store, with one chosen read refused as a store that stopped answering refuses it: after
 * `failNth(n, matches)`, the nth read that `matches` fails with StoreUnavailableError, and every
 * other read and write goes to the store as it is.
 */
export function interruptible(store: Store) {
  let rule: { matches: (read: StoreRead) => boolean; countdown: number } | undefined;
  const refused = (read: StoreRead) => {
    if (!rule?.matches(read) || --rule.countdown > 0) return false;
    rule = undefined;
    return true;
  };
  const outage = () => Promise.reject(new StoreUnavailableError('the store stopped answering'));
  const wrapped: Store = {
    ...store,
    get: <T extends Data = Data>(key: Key) => (refused({ method: 'get', key }) ? outage() : store.get<T>(key)),
    list: <T extends Data = Data>(pk: string, options?: ListOptions) => (refused({ method: 'list', pk, options }) ? outage() : store.list<T>(pk, options)),
  };
  return {
    store: wrapped,
    failNth(nth: number, matches: (read: StoreRead) => boolean) {
      rule = { matches, countdown: nth };
    },
  };
}

export type Interruptible = ReturnType<typeof interruptible>;

/** A test app over a fresh store of this kind, and the handle that interrupts it. */
export async function interruptibleApp(factory: StoreFactory): Promise<{ t: TestApp; faults: Interruptible }> {
  let faults: Interruptible | undefined;
  const t = await makeTestApp(async (now) => {
    faults = interruptible(await factory.make(now));
    return faults.store;
  });
  return { t, faults: faults! };
}
