import { loadMailConfig, MailConfigError } from '../mail/mail-config';
import { type Config, ConfigError, loadConfig } from './config';
import { checkKeySettings } from './key-vault-setup';
import type { ProcessEnv } from './process-env';

/**
 * Every variable the README's configuration table lists, checked at once: one ConfigError line
 * naming the first bad one. Start-up runs the same checks where it reads each variable.
 */
export function checkEnvironment(env: ProcessEnv): Config {
  const config = loadConfig(env);
  checkKeySettings(env);
  try {
    loadMailConfig(env);
  } catch (error) {
    throw error instanceof MailConfigError ? new ConfigError(error.message) : error;
  }
  return config;
}
