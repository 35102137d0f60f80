import type { Hono } from 'hono';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { signingKeys } from '../core/signing-keys';
import { argon2Hasher } from '../hashing/argon2-hasher';
import { commonPasswords } from '../hashing/common-passwords';
import { createApp, type Env } from '../http/app';
import { sqliteStore } from '../store/sqlite';
import type { Store } from '../store/store';
import type { Config } from './config';

export interface Services {
  readonly app: Hono<Env>;
  readonly store: Store;
  /** Where the data lives, for the start-up line. */
  readonly storeLabel: string;
  close(): Promise<void>;
}

export async function createStore(config: Config, clock: Clock): Promise<{ store: Store; label: string }> {
  if (config.store === 'sqlite') {
    return { store: sqliteStore({ file: config.sqliteFile, now: () => clock.now() }), label: `sqlite ${config.sqliteFile}` };
  }
  throw new Error('AUTH_STORE=dynamodb is not available in this build');
}

/** Wires the ports to real adapters: the one place that decides which store and hasher run. */
export async function createServices(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Services> {
  const { store, label } = await createStore(config, clock);
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
