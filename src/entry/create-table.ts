import { ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../store/dynamodb-table';
import { ConfigError, loadConfig } from './config';
import { createDynamoClients } from './dynamodb-client';

/**
 * `npm run create-table [-- --table NAME]`: creates Gatehouse's table (on-demand, TTL on) in the
 * account and region of the environment, or at AWS_ENDPOINT_URL_DYNAMODB. Safe to run twice.
 */
async function main(): Promise<void> {
  const flag = process.argv.indexOf('--table');
  const env = flag >= 0 && process.argv[flag + 1] ? { ...process.env, AUTH_TABLE: process.argv[flag + 1] } : process.env;
  if (process.argv.includes('--help')) {
    process.stdout.write('Usage: npm run create-table [-- --table NAME]   (default: $AUTH_TABLE or "gatehouse")\n');
    return;
  }
  const { table } = loadConfig({ ...env, AUTH_STORE: 'dynamodb' });
  const clients = createDynamoClients(env);
  try {
    const created = await ensureTable(clients.client, table);
    process.stdout.write(created ? `Created table ${table} (on-demand, TTL on "ttl")\n` : `Table ${table} already exists; TTL on "ttl"\n`);
  } finally {
    clients.client.destroy();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof ResourceInUseException ? error.message : `Could not create the table: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
