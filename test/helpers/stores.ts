import { inject } from 'vitest';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/store';
import { freshDynamoStore } from './dynamodb';

export interface StoreFactory {
  readonly name: string;
  make(now: () => number): Promise<Store>;
}

/** Whether this run has DynamoDB Local (`npm test` starts one; `npm run test:fast` does not). */
export const hasDynamo = (): boolean => Boolean(inject('dynamoEndpoint'));

/** Every store the HTTP suites run against: each `make` is an empty store of its own. */
export const storeFactories: StoreFactory[] = [
  { name: 'sqlite', make: async (now) => sqliteStore({ file: ':memory:', now }) },
  ...(hasDynamo() ? [{ name: 'dynamodb', make: (now: () => number) => freshDynamoStore(now) }] : []),
];
