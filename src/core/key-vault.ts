// The key-encryption port: a service that makes data keys and unwraps them again, bound to a
// context. Web Crypto and plain types only, so the core runs unchanged on Node and Lambda.

/**
 * What a data key (and the secret sealed with it) belongs to, e.g. `{ purpose: 'signing-key',
 * kid }`. It is bound to the ciphertext: opening with any other context fails, so a ciphertext
 * copied to another item is refused. On KMS it is the EncryptionContext and appears in CloudTrail,
 * so it names things and never holds a secret.
 */
export type KeyContext = Readonly<Record<string, string>>;

/** The key-encryption key a vault uses: recorded next to every sealed secret. */
export interface KekDescriptor {
  readonly type: 'local' | 'kms';
  /** A local key's fingerprint, or the KMS key id, ARN or alias as configured. */
  readonly id: string;
}

export interface DataKey {
  /** 32 bytes for AES-256; the caller uses it once and may zero it. */
  readonly plaintext: Uint8Array;
  /** The same key encrypted under the key-encryption key (base64url): the only form ever stored. */
  readonly wrapped: string;
}

export interface KeyVault {
  readonly kek: KekDescriptor;
  /** A fresh 256-bit data key, in plain form and wrapped under the key-encryption key with `context`. */
  generateDataKey(context: KeyContext): Promise<DataKey>;
  /** The plain data key behind `wrapped`; KeyRefusedError unless it was made with this KEK and this exact context. */
  unwrapDataKey(wrapped: string, context: KeyContext): Promise<Uint8Array>;
}

/** The key service could not be reached or did not answer in time (a 503 `key_service_unavailable`). */
export class KeyServiceUnavailableError extends Error {
  override readonly name = 'KeyServiceUnavailableError';
  readonly code = 'key_service_unavailable';
  constructor(message = 'The key service is unavailable', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The key service or the cipher refused: wrong key-encryption key, tampered ciphertext, another
 * context, or no permission. Retrying cannot help; it is logged and answered as an internal error.
 */
export class KeyRefusedError extends Error {
  override readonly name = 'KeyRefusedError';
  readonly code = 'key_refused';
  constructor(message = 'The key was refused', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const DATA_KEY_BYTES = 32;
const MAX_CONTEXT_CHARS = 4_096;

/**
 * The context as canonical JSON: keys sorted by code unit, so the same pairs always give the same
 * bytes whatever order they were written in. Throws TypeError on a context no caller should pass:
 * empty (it would bind nothing), a non-string value, an empty key, a key starting with `aws:`
 * (reserved by AWS), or more than 4 096 characters in all.
 */
export function canonicalContext(context: KeyContext): string {
  if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new TypeError('A key context must be an object of strings');
  const keys = Object.keys(context).sort();
  if (keys.length === 0) throw new TypeError('A key context must name what the key belongs to (at least one entry)');
  const sorted: Record<string, string> = {};
  for (const key of keys) {
    const value = context[key];
    if (key === '' || typeof value !== 'string') throw new TypeError(`Key context entry ${JSON.stringify(key)} must be a non-empty name with a string value`);
    if (key.toLowerCase().startsWith('aws:')) throw new TypeError(`Key context entry ${JSON.stringify(key)}: names starting with "aws:" are reserved`);
    sorted[key] = value;
  }
  const text = JSON.stringify(sorted);
  if (text.length > MAX_CONTEXT_CHARS) throw new TypeError(`A key context must stay under ${MAX_CONTEXT_CHARS} characters`);
  return text;
}
