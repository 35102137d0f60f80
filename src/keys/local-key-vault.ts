import { createHash } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from '../core/base64url-bytes';
import { canonicalContext, DATA_KEY_BYTES, type DataKey, type KeyContext, KeyRefusedError, type KeyVault } from '../core/key-vault';

export const LOCAL_KEK_BYTES = 32;

const VERSION = 1;
const FINGERPRINT_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = 1 + FINGERPRINT_BYTES + IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;

/**
 * A short, public name for a key-encryption key: the first 8 bytes of SHA-256 over a label and the
 * key. It tells keys apart in error messages and sealed secrets without revealing anything usable.
 */
export function kekFingerprint(key: Uint8Array): string {
  const digest = createHash('sha256').update('gatehouse/kek-fingerprint\n').update(key).digest();
  return encodeBase64url(new Uint8Array(digest.subarray(0, FINGERPRINT_BYTES)));
}

const additionalData = (fingerprint: Uint8Array, context: KeyContext): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(['gatehouse/data-key', encodeBase64url(fingerprint), canonicalContext(context)]));

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * The key-encryption port over a 32-byte key held by this process (see loadLocalKek). Data keys are
 * wrapped with AES-256-GCM, the context as additional data. A wrapped key is 69 bytes:
 * version (1) · KEK fingerprint (8) · nonce (12) · encrypted data key (32) · tag (16).
 */
export function localKeyVault({ key }: { readonly key: Uint8Array }): KeyVault {
  if (!(key instanceof Uint8Array) || key.length !== LOCAL_KEK_BYTES) throw new TypeError(`A local key-encryption key must be ${LOCAL_KEK_BYTES} bytes`);
  const id = kekFingerprint(key);
  const fingerprint = decodeBase64url(id)!;
  const kek = crypto.subtle.importKey('raw', key.slice(), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);

  return {
    kek: { type: 'local', id },

    async generateDataKey(context: KeyContext): Promise<DataKey> {
      const aad = additionalData(fingerprint, context);
      const plaintext = crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES));
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, await kek, plaintext));
      const wrapped = new Uint8Array(WRAPPED_BYTES);
      wrapped.set([VERSION], 0);
      wrapped.set(fingerprint, 1);
      wrapped.set(iv, 1 + FINGERPRINT_BYTES);
      wrapped.set(sealed, 1 + FINGERPRINT_BYTES + IV_BYTES);
      return { plaintext, wrapped: encodeBase64url(wrapped) };
    },

    async unwrapDataKey(wrapped: string, context: KeyContext): Promise<Uint8Array> {
      const aad = additionalData(fingerprint, context);
      const bytes = decodeBase64url(wrapped);
      if (!bytes || bytes.length !== WRAPPED_BYTES || bytes[0] !== VERSION) throw new KeyRefusedError('Not a data key wrapped by a local key-encryption key');
      const wrappedBy = bytes.subarray(1, 1 + FINGERPRINT_BYTES);
      if (!sameBytes(wrappedBy, fingerprint)) {
        throw new KeyRefusedError(`The data key was wrapped under another key-encryption key (${encodeBase64url(wrappedBy)}); this one is ${id}`);
      }
      const iv = bytes.subarray(1 + FINGERPRINT_BYTES, 1 + FINGERPRINT_BYTES + IV_BYTES);
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
          await kek,
          bytes.subarray(1 + FINGERPRINT_BYTES + IV_BYTES),
        );
        return new Uint8Array(plain);
      } catch (error) {
        throw new KeyRefusedError('The wrapped data key does not open: it was changed, or belongs to another context', { cause: error });
      }
    },
  };
}
