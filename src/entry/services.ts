import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PasswordHasher } from '../core/passwords';
import { signingKeys, type SigningKeys } from '../core/signing-keys';
import { argon2Hasher } from '../hashing/argon2-hasher';
import { commonPasswords } from '../hashing/common-passwords';
import { createApp, type AppDeps } from '../http/app';
import type { Store } from '../store/store';
import type { Config } from './config';

export interface Ports {
  readonly hasher: PasswordHasher;
  readonly keys: SigningKeys;
}

/** The ports every entry point shares, over one store: built once per process or container. */
export function createPorts(store: Store, clock: Clock): Ports {
  return { hasher: argon2Hasher(), keys: signingKeys({ store, clock }) };
}

/** What differs between runtimes: where the caller's address and the body come from, extra routes. */
export type RuntimeDeps = Pick<AppDeps, 'clientAddress' | 'readBody' | 'site'>;

export function appDeps(config: Config, store: Store, logger: Logger, clock: Clock, runtime: RuntimeDeps): AppDeps {
  return { store, ...createPorts(store, clock), passwords: commonPasswords, clock, logger, settings: config, ...runtime };
}

export const createHttpApp = (config: Config, store: Store, logger: Logger, clock: Clock, runtime: RuntimeDeps) =>
  createApp(appDeps(config, store, logger, clock, runtime));
