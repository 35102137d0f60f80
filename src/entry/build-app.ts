import type { Clock } from '../core/clock';
import type { KeyVault } from '../core/key-vault';
import type { Logger } from '../core/logger';
import type { SigningKeys } from '../core/signing-keys';
import { ARGON2_DEFAULTS, argon2Hasher } from '../hashing/argon2-hasher';
import { commonPasswords } from '../hashing/common-passwords';
import { type AppDeps, createApp } from '../http/app';
import type { Store } from '../store/store';
import { simpleWebAuthn } from '../webauthn/simple-webauthn';
import type { Config } from './config';

/**
 * What differs between runtimes: where the caller's address and the body come from, extra routes,
 * how mail is sent and how work after the answer runs.
 */
export type RuntimeDeps = Pick<AppDeps, 'clientAddress' | 'readBody' | 'site' | 'mailer' | 'afterResponse'>;

/**
 * The HTTP app over real adapters, built once per process or container. Its signing keys are the
 * caller's, so what start-up loads and what a rotation changes are what the app signs with.
 */
export function createHttpApp(
  config: Config,
  store: Store,
  logger: Logger,
  clock: Clock,
  { vault: keyVault, keys }: { vault: KeyVault; keys: SigningKeys },
  runtime: RuntimeDeps,
) {
  return createApp({
    store,
    hasher: argon2Hasher(ARGON2_DEFAULTS, { logger }),
    keys,
    keyVault,
    webauthn: simpleWebAuthn(),
    passwords: commonPasswords,
    clock,
    logger,
    settings: config,
    ...runtime,
  });
}
