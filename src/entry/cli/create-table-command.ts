import { ensureTable } from '../../store/dynamodb-table';
import { loadConfig } from '../config';
import { createDynamoClients } from '../dynamodb-client';
import { type Command, parse } from './command';

export const createTableCommand: Command = {
  usage: 'gatehouse create-table [--table NAME]',
  summary: 'create the DynamoDB table (on-demand, TTL on) in your own account; safe to run again',
  help: `Creates Gatehouse's single table: partition key pk, sort key sk (strings), on-demand
billing, TTL on the attribute "ttl". Does nothing but report when it exists.
Options:
  --table NAME   the table (default: $AUTH_TABLE, else "gatehouse")
Uses the AWS SDK's own configuration (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB).`,
  async run(args, io) {
    const { values } = parse(args, { table: { type: 'string' } });
    const { table } = loadConfig({ ...io.env, AUTH_STORE: 'dynamodb', ...(values.table ? { AUTH_TABLE: String(values.table) } : {}) });
    const clients = createDynamoClients(io.env);
    io.err(`Store: dynamodb table ${table}${clients.endpoint ? ` at ${clients.endpoint}` : ''}`);
    try {
      const created = await ensureTable(clients.client, table);
      io.out(created ? `Created table ${table} (on-demand, TTL on "ttl")` : `Table ${table} already exists; TTL on "ttl"`);
    } finally {
      clients.client.destroy();
    }
    return 0;
  },
};
