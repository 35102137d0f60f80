/**
 * A setting that cannot be used as given. Its message is one line naming the variable (or the
 * file) and what it must be; start-up prints it and stops, a Lambda logs it and fails its init.
 * The mail and key settings' own errors are kinds of it.
 */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}
