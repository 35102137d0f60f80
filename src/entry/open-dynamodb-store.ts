import type { Clock } from '../core/clock';
import { dynamoStore } from '../store/dynamodb';
import { ensureTable } from '../store/dynamodb-table';
import type { Store } from '../store/store';
import type { Config } from './config';
import { createDynamoClients, isLocalEndpoint } from './dynamodb-client';
import type { ProcessEnv } from './process-env';

/**
 * The DynamoDB store of the configuration. For the server against a local endpoint the table is
 * created if missing; on AWS the stack owns it, so the Lambda handlers never try (and never pay
 * for the look on a cold start).
 */
export async function openDynamoStore(
  config: Config,
  env: ProcessEnv,
  clock: Clock,
  options: { createLocalTable: boolean } = { createLocalTable: true },
): Promise<{ store: Store; label: string }> {
  const clients = createDynamoClients(env);
  if (options.createLocalTable && isLocalEndpoint(clients.endpoint)) await ensureTable(clients.client, config.table);
  return {
    store: dynamoStore({ client: clients.document, table: config.table, now: () => clock.now() }),
    label: `dynamodb table ${config.table}${clients.endpoint ? ` at ${clients.endpoint}` : ''}`,
  };
}
