import { join } from 'node:path';
import { inject } from 'vitest';
import { dynamoStore } from '../../src/store/dynamodb';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/store';
import { localClients, uniqueTable } from './dynamodb';

export interface ServerStore {
  readonly name: 'sqlite' | 'dynamodb';
  /** Environment for a server process using a fresh store of this kind. */
  env(dir: string, label: string): Record<string, string>;
  /** The same store opened from the test, to look at what the server stored. */
  open(env: Record<string, string>): Store;
}

export const serverStores: ServerStore[] = [
  {
    name: 'sqlite',
    env: (dir, label) => ({ AUTH_STORE: 'sqlite', AUTH_SQLITE_FILE: join(dir, `${label}.db`) }),
    open: (env) => sqliteStore({ file: env.AUTH_SQLITE_FILE! }),
  },
  {
    name: 'dynamodb',
    env: (_dir, label) => ({ AUTH_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), AUTH_TABLE: uniqueTable(label) }),
    open: (env) => ({ ...dynamoStore({ client: localClients().document, table: env.AUTH_TABLE! }), close: async () => {} }),
  },
];
