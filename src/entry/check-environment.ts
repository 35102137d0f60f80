import { loadMailConfig } from '../mail/mail-config';
import { type Config, loadConfig } from './config';
import { checkKeySettings } from './key-vault-setup';
import type { ProcessEnv } from './process-env';

/**
 * Every variable the README's configuration table lists, checked at once: one ConfigError line
 * naming the first bad one. Start-up runs the same checks where it reads each variable.
 */
export function checkEnvironment(env: ProcessEnv): Config {
  const config = loadConfig(env);
  checkKeySettings(env);
  loadMailConfig(env);
  return config;
}
