import type { Clock } from '../core/clock';
import { sqliteStore } from '../store/sqlite';
import type { Store } from '../store/store';
import type { Config } from './config';
import { openDynamoStore } from './dynamo-store';

type Env = Readonly<Record<string, string | undefined>>;

/** The configured store, for the server and the command line. */
export async function openStore(config: Config, env: Env, clock: Clock): Promise<{ store: Store; label: string }> {
  if (config.store === 'dynamodb') return openDynamoStore(config, env, clock);
  return { store: sqliteStore({ file: config.sqliteFile, now: () => clock.now() }), label: `sqlite ${config.sqliteFile}` };
}
