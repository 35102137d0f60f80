import { inject } from 'vitest';
import { createDynamoClients, type DynamoClients } from '../../src/entry/dynamodb-client';
import { dynamoStore } from '../../src/store/dynamodb';
import { ensureTable } from '../../src/store/dynamodb-table';
import type { Store } from '../../src/store/store';

let shared: DynamoClients | undefined;

/** Clients for the run's DynamoDB Local, shared by every table of this test file. */
export function localClients(): DynamoClients {
  shared ??= createDynamoClients({ AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') });
  return shared;
}

let tables = 0;
export const uniqueTable = (label = 'test') => `${label}-${process.pid}-${Date.now().toString(36)}-${tables++}`;

/** A fresh table in DynamoDB Local; closing the store leaves the shared client open. */
export async function freshDynamoStore(now: () => number, table = uniqueTable()): Promise<Store> {
  const clients = localClients();
  await ensureTable(clients.client, table);
  const store = dynamoStore({ client: clients.document, table, now });
  return { ...store, close: async () => {} };
}
