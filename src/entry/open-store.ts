import type { Clock } from '../core/clock';
import { sqliteStore } from '../store/sqlite';
import type { Store } from '../store/store';
import type { Config } from './config';
import { openDynamoStore } from './open-dynamodb-store';
import type { ProcessEnv } from './process-env';

/** The configured store, for the server and the command line. */
export async function openStore(config: Config, env: ProcessEnv, clock: Clock): Promise<{ store: Store; label: string }> {
  if (config.store === 'dynamodb') return openDynamoStore(config, env, clock);
  return { store: sqliteStore({ file: config.sqliteFile, now: () => clock.now() }), label: `sqlite ${config.sqliteFile}` };
}
