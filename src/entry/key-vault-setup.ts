import { isAbsolute, join } from 'node:path';
import type { Clock } from '../core/clock';
import { cachedKeyVault } from '../core/data-key-cache';
import type { KeyVault } from '../core/key-vault';
import { DEFAULT_KEK_FILE, fromEnv, loadLocalKek } from '../keys/local-kek';
import { localKeyVault } from '../keys/local-key-vault';
import { ConfigError } from './config';
import type { ProcessEnv } from './process-env';

export interface KeyVaultSetup {
  readonly vault: KeyVault;
  /** What seals the secrets, for the start-up line. */
  readonly label: string;
  /** Set when a key file was made just now: it must be backed up with the store. */
  readonly createdFile?: string;
}

/**
 * The key-encryption key of the configuration: AWS KMS when AUTH_KMS_KEY_ID names a key (the
 * stack sets it on Lambda), else a local key — AUTH_KEY_ENCRYPTION_KEY, or the key file
 * AUTH_KEY_FILE (default .data/key-encryption-key, relative to `root`), made on first start.
 * Unwrapped data keys are kept five minutes per instance. Bad values are a ConfigError.
 */
export function keyVaultFromEnv(env: ProcessEnv, clock: Clock, root: string = process.cwd()): KeyVaultSetup {
  checkKeySettings(env);
  const keyId = env.AUTH_KMS_KEY_ID?.trim();
  if (keyId) {
    // The KMS client loads with the first secret opened or made: verifying a token needs none.
    let loaded: Promise<KeyVault> | undefined;
    const kms = () =>
      (loaded ??= Promise.all([import('../keys/kms-client'), import('../keys/kms-key-vault')]).then(([{ createKmsClient }, { kmsKeyVault }]) =>
        kmsKeyVault({ client: createKmsClient({ ...(env.AWS_ENDPOINT_URL_KMS ? { endpoint: env.AWS_ENDPOINT_URL_KMS } : {}) }), keyId }),
      ));
    const vault: KeyVault = {
      kek: { type: 'kms', id: keyId },
      generateDataKey: async (context) => (await kms()).generateDataKey(context),
      unwrapDataKey: async (wrapped, context) => (await kms()).unwrapDataKey(wrapped, context),
    };
    return { vault: cachedKeyVault(vault, { clock }), label: `AWS KMS key ${keyId}` };
  }
  const raw = env.AUTH_KEY_FILE?.trim() || DEFAULT_KEK_FILE;
  const file = isAbsolute(raw) ? raw : join(root, raw);
  const kek = loadLocalKek({ env, file });
  const label = kek.source === 'env' ? 'the key in AUTH_KEY_ENCRYPTION_KEY' : `the key file ${kek.file}`;
  return { vault: cachedKeyVault(localKeyVault({ key: kek.key }), { clock }), label, ...(kek.created ? { createdFile: kek.file } : {}) };
}

const KMS_KEY =
  /^(?:arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[\w/+=,.@-]+|alias\/[\w/+=,.@-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** The key variables' shapes, checked without touching a file or a key service. */
export function checkKeySettings(env: ProcessEnv): void {
  const keyId = env.AUTH_KMS_KEY_ID?.trim();
  if (keyId && !KMS_KEY.test(keyId)) {
    throw new ConfigError(`Invalid configuration: AUTH_KMS_KEY_ID=${JSON.stringify(keyId)}: must be a KMS key id, key ARN, alias/NAME or alias ARN`);
  }
  const file = env.AUTH_KEY_FILE?.trim();
  if (file !== undefined && file !== '' && (file.endsWith('/') || file.includes('\0'))) {
    throw new ConfigError(`Invalid configuration: AUTH_KEY_FILE=${JSON.stringify(file)}: must be a file path`);
  }
  const raw = env.AUTH_KEY_ENCRYPTION_KEY?.trim();
  if (raw) fromEnv(raw);
}
