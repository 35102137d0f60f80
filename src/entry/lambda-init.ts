import type { Logger } from '../core/logger';
import { type Config, ConfigError, loadConfig } from './config';
import { jsonLogger, logLevel } from './json-logger';

/** Configuration and logger of a Lambda container, read once. A bad value fails every invocation with one clear line. */
export function lambdaConfig(env: Readonly<Record<string, string | undefined>>): { config: Config; logger: Logger } {
  const logger = jsonLogger(logLevel(env.LOG_LEVEL));
  try {
    const config = loadConfig(env);
    if (config.store !== 'dynamodb') throw new ConfigError(`Invalid configuration: AUTH_STORE=${JSON.stringify(config.store)}: only 'dynamodb' runs on Lambda`);
    return { config, logger };
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message);
    throw error;
  }
}

/**
 * Runs `init` once per container, on the first invocation (never at import), and again only if it
 * failed, so a store that was down at the first request does not poison the container.
 */
export function once<T>(init: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      pending = init();
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}
