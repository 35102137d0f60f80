import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/store';

export interface StoreFactory {
  readonly name: string;
  make(now: () => number): Promise<Store>;
}

/** Every store the HTTP suites run against. */
export const storeFactories: StoreFactory[] = [{ name: 'sqlite', make: async (now) => sqliteStore({ file: ':memory:', now }) }];
