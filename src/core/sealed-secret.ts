import { decodeBase64url, encodeBase64url } from './base64url-bytes';
import { canonicalContext, DATA_KEY_BYTES, type KeyContext, KeyRefusedError, type KeyVault } from './key-vault';

/**
 * A secret under envelope encryption, small and JSON-serialisable, to be stored in place of the
 * secret itself. Every binary field is unpadded base64url.
 *
 * - `v`: format version, 1.
 * - `kek`, `kid`: the key-encryption key that wrapped the data key (a local key's fingerprint, or
 *   the KMS key as configured).
 * - `wrapped`: the data key, wrapped under that key with the context.
 * - `iv`: the 96-bit AES-GCM nonce.
 * - `ct`: the AES-256-GCM ciphertext followed by its 128-bit tag. The additional authenticated
 *   data binds `v`, `kek`, `kid` and the canonical context, so changing any field, or opening
 *   with another context, fails.
 */
export interface SealedSecret {
  readonly v: 1;
  readonly kek: 'local' | 'kms';
  readonly kid: string;
  readonly wrapped: string;
  readonly iv: string;
  readonly ct: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID_PATTERN = /^[\x21-\x7e]{1,256}$/;
const FIELDS = ['v', 'kek', 'kid', 'wrapped', 'iv', 'ct'];

const additionalData = (sealed: Pick<SealedSecret, 'v' | 'kek' | 'kid'>, context: KeyContext): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(['gatehouse/sealed-secret', sealed.v, sealed.kek, sealed.kid, canonicalContext(context)]));

const importDataKey = (bytes: Uint8Array, usage: 'encrypt' | 'decrypt') => {
  if (bytes.length !== DATA_KEY_BYTES) throw new KeyRefusedError(`A data key must be ${DATA_KEY_BYTES} bytes`);
  return crypto.subtle.importKey('raw', bytes, { name: 'AES-GCM' }, false, [usage]);
};

/** Whether `value` has the shape of a SealedSecret (tells sealed records from older plain ones). */
export function isSealedSecret(value: unknown): value is SealedSecret {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    Object.keys(record).length === FIELDS.length &&
    record.v === 1 &&
    (record.kek === 'local' || record.kek === 'kms') &&
    typeof record.kid === 'string' &&
    KID_PATTERN.test(record.kid) &&
    decodeBase64url(record.wrapped) !== undefined &&
    (record.wrapped as string).length > 0 &&
    decodeBase64url(record.iv)?.length === IV_BYTES &&
    (decodeBase64url(record.ct)?.length ?? 0) >= TAG_BYTES
  );
}

/**
 * Encrypts `plaintext` (bytes, or a string as UTF-8) under a fresh data key from `vault`, bound to
 * `context`. Each call makes its own data key and nonce, so sealing the same secret twice gives
 * two unrelated results.
 */
export async function sealSecret(vault: KeyVault, context: KeyContext, plaintext: Uint8Array | string): Promise<SealedSecret> {
  const header = { v: 1, kek: vault.kek.type, kid: vault.kek.id } as const;
  if (!KID_PATTERN.test(header.kid)) throw new TypeError('A key-encryption key id must be 1–256 printable ASCII characters');
  const aad = additionalData(header, context);
  const dataKey = await vault.generateDataKey(context);
  try {
    const key = await importDataKey(dataKey.plaintext, 'encrypt');
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, bytes));
    return { ...header, wrapped: dataKey.wrapped, iv: encodeBase64url(iv), ct: encodeBase64url(ct) };
  } finally {
    dataKey.plaintext.fill(0);
  }
}

/**
 * The plaintext of a sealed secret. KeyRefusedError when `sealed` is malformed, was sealed under
 * another kind of key-encryption key, was changed in any field, or is opened with another context;
 * KeyServiceUnavailableError when the key service does not answer.
 */
export async function openSecret(vault: KeyVault, sealed: SealedSecret, context: KeyContext): Promise<Uint8Array> {
  if (!isSealedSecret(sealed)) throw new KeyRefusedError('Not a sealed secret (version 1)');
  if (sealed.kek !== vault.kek.type) {
    throw new KeyRefusedError(`The secret was sealed under a ${sealed.kek} key-encryption key; this one is ${vault.kek.type}`);
  }
  const aad = additionalData(sealed, context);
  const plainKey = await vault.unwrapDataKey(sealed.wrapped, context);
  try {
    const key = await importDataKey(plainKey, 'decrypt');
    const iv = decodeBase64url(sealed.iv)!;
    const ct = decodeBase64url(sealed.ct)!;
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, ct));
  } catch (error) {
    if (error instanceof KeyRefusedError) throw error;
    throw new KeyRefusedError('The sealed secret does not open: it was changed, or belongs to another context', { cause: error });
  } finally {
    plainKey.fill(0);
  }
}

/** openSecret for a secret that was sealed as a string; KeyRefusedError when it is not UTF-8. */
export async function openSecretText(vault: KeyVault, sealed: SealedSecret, context: KeyContext): Promise<string> {
  const bytes = await openSecret(vault, sealed, context);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new KeyRefusedError('The sealed secret is not UTF-8 text', { cause: error });
  } finally {
    bytes.fill(0);
  }
}
