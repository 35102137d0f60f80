import type { PasswordCheck } from '../core/passwords';
import { PASSWORD_MIN } from '../core/passwords';

let common: Promise<Set<string>> | undefined;

/**
 * The ~49,000 most common passwords of zxcvbn-ts's maintained list (only the list itself, not the
 * package's other dictionaries); only those long enough to pass the length rule are kept. Loaded on
 * first use, so start-up does not pay for it.
 */
function load(): Promise<Set<string>> {
  common ??= import('@zxcvbn-ts/language-common/dist/passwords.json.mjs').then(
    ({ default: list }) => new Set(list.filter((password) => [...password].length >= PASSWORD_MIN).map((p) => p.toLowerCase())),
  );
  return common;
}

export const commonPasswords: PasswordCheck = {
  isCommon: async (password) => (await load()).has(password.toLowerCase()),
};
