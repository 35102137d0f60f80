import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../core/config-error';
import { LOCAL_KEK_BYTES } from './local-key-vault';

/** A key-encryption key that cannot be used as configured; the message is one line naming the variable or file. */
export class KeyConfigError extends ConfigError {
  override readonly name = 'KeyConfigError';
}

export interface LocalKek {
  readonly key: Uint8Array;
  readonly source: 'env' | 'file';
  /** The key file, when the key came from one. */
  readonly file?: string;
  /** True when this call made the key file (the caller should say so: it must be backed up). */
  readonly created: boolean;
}

export const KEK_VARIABLE = 'AUTH_KEY_ENCRYPTION_KEY';
export const DEFAULT_KEK_FILE = '.data/key-encryption-key';

type Env = Readonly<Record<string, string | undefined>>;

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

export function fromEnv(raw: string): Uint8Array {
  const rule = `${KEK_VARIABLE} must be ${LOCAL_KEK_BYTES} random bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`)`;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) throw new KeyConfigError(`Invalid configuration: ${rule}; it is not base64`);
  const key = Uint8Array.from(Buffer.from(raw, 'base64'));
  if (key.length !== LOCAL_KEK_BYTES) throw new KeyConfigError(`Invalid configuration: ${rule}; it decodes to ${key.length} bytes`);
  return key;
}

/** The key in `file`, or undefined when there is no such file. */
function readKeyFile(file: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new KeyConfigError(`Cannot read the key-encryption key file ${file}: ${errorCode(error) ?? String(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyConfigError(`Refusing the key-encryption key file ${file}: it is not a regular file`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeyConfigError(`Refusing the key-encryption key file ${file}: its mode ${mode} lets other users at it; run: chmod 600 ${file}`);
    }
    if (stat.size !== LOCAL_KEK_BYTES) {
      throw new KeyConfigError(
        `Refusing the key-encryption key file ${file}: it holds ${stat.size} bytes, not ${LOCAL_KEK_BYTES}; restore it from a backup (a new key cannot open what the old one sealed)`,
      );
    }
    const key = Uint8Array.from(readFileSync(fd));
    if (key.length !== LOCAL_KEK_BYTES) throw new KeyConfigError(`Refusing the key-encryption key file ${file}: it changed while being read`);
    return key;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a new random key to `file` only if no file is there: the key is written and synced to a
 * private temporary file first, then hard-linked into place, which fails when the name exists. So
 * two processes starting together agree on one key, and no reader ever sees a half-written file.
 * Returns the new key, or undefined when another process made the file first.
 */
function createKeyFile(file: string): Uint8Array | undefined {
  const dir = dirname(file);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const key = Uint8Array.from(randomBytes(LOCAL_KEK_BYTES));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(temp, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeFileSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, file);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      throw error;
    }
  } catch (error) {
    throw new KeyConfigError(`Cannot create the key-encryption key file ${file}: ${errorCode(error) ?? String(error)}`);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already gone.
    }
  }
  syncDirectory(dir);
  return key;
}

/** Makes the new name durable (best effort: not every platform can sync a directory). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a directory; the file itself is synced.
  }
}

/**
 * The local key-encryption key: from AUTH_KEY_ENCRYPTION_KEY (base64, exactly 32 bytes) when it is
 * set, otherwise from `file` (32 raw bytes, owner-only mode), which is made on first start.
 * Throws KeyConfigError with one line on anything else; never exits by itself. The file path is
 * taken as given (relative paths from the working directory).
 */
export function loadLocalKek({ env, file = DEFAULT_KEK_FILE }: { readonly env: Env; readonly file?: string }): LocalKek {
  const raw = env[KEK_VARIABLE]?.trim();
  if (raw) return { key: fromEnv(raw), source: 'env', created: false };
  const existing = readKeyFile(file);
  if (existing) return { key: existing, source: 'file', file, created: false };
  const created = createKeyFile(file);
  if (created) return { key: created, source: 'file', file, created: true };
  const other = readKeyFile(file);
  if (!other) throw new KeyConfigError(`Cannot read the key-encryption key file ${file}: it vanished after another process made it`);
  return { key: other, source: 'file', file, created: false };
}
