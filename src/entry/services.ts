import type { Hono } from 'hono';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { signingKeys } from '../core/signing-keys';
import { argon2Hasher } from '../hashing/argon2-hasher';
import { commonPasswords } from '../hashing/common-passwords';
import { createApp, type Env as AppEnv } from '../http/app';
import { dynamoStore } from '../store/dynamodb';
import { ensureTable } from '../store/dynamodb-table';
import { sqliteStore } from '../store/sqlite';
import type { Store } from '../store/store';
import type { Config } from './config';
import { createDynamoClients, isLocalEndpoint } from './dynamodb-client';

type Env = Readonly<Record<string, string | undefined>>;

export interface Services {
  readonly app: Hono<AppEnv>;
  readonly store: Store;
  /** Where the data lives, for the start-up line. */
  readonly storeLabel: string;
  close(): Promise<void>;
}

/**
 * The configured store. Against a local DynamoDB endpoint the table is created if missing; on AWS
 * the stack owns it.
 */
export async function createStore(config: Config, env: Env, clock: Clock): Promise<{ store: Store; label: string }> {
  const now = () => clock.now();
  if (config.store === 'sqlite') {
    return { store: sqliteStore({ file: config.sqliteFile, now }), label: `sqlite ${config.sqliteFile}` };
  }
  const clients = createDynamoClients(env);
  if (isLocalEndpoint(clients.endpoint)) await ensureTable(clients.client, config.table);
  return {
    store: dynamoStore({ client: clients.document, table: config.table, now }),
    label: `dynamodb table ${config.table}${clients.endpoint ? ` at ${clients.endpoint}` : ''}`,
  };
}

/** Wires the ports to real adapters: the one place that decides which store and hasher run. */
export async function createServices(config: Config, env: Env, logger: Logger, clock: Clock = systemClock): Promise<Services> {
  const { store, label } = await createStore(config, env, clock);
  const hasher = argon2Hasher();
  // Computed now so the first unknown-user login costs what every later one does.
  void hasher.dummyHash();
  const app = createApp({
    store,
    hasher,
    passwords: commonPasswords,
    clock,
    keys: signingKeys({ store, clock }),
    logger,
    settings: config,
  });
  return { app, store, storeLabel: label, close: () => store.close() };
}
