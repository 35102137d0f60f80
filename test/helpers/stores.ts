import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/store';
import { freshDynamoStore } from './dynamodb';

export interface StoreFactory {
  readonly name: string;
  make(now: () => number): Promise<Store>;
}

/** Every store the HTTP suites run against: each `make` is an empty store of its own. */
export const storeFactories: StoreFactory[] = [
  { name: 'sqlite', make: async (now) => sqliteStore({ file: ':memory:', now }) },
  { name: 'dynamodb', make: (now) => freshDynamoStore(now) },
];
