import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { decodeBase64url, encodeBase64url } from '../core/base64url-bytes';
import { canonicalContext, DATA_KEY_BYTES, type DataKey, type KeyContext, KeyRefusedError, KeyServiceUnavailableError, type KeyVault } from '../core/key-vault';

export interface KmsKeyVaultOptions {
  /** A client from createKmsClient (short timeouts), or any KMSClient. */
  readonly client: Pick<KMSClient, 'send'>;
  /** The KMS key: key id, key ARN, alias name (`alias/…`) or alias ARN. Decrypt is pinned to it. */
  readonly keyId: string;
  /** The most one vault call may take, retries included (default 3 000 ms). */
  readonly budgetMs?: number;
}

/** Errors that say the service is busy, failing or out of reach: worth a later try. */
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface SdkError {
  readonly name?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * KMS's answer as one of the two port errors. Busy, failing (5xx) or unreachable (no HTTP answer
 * at all: refused connection, timeout, the call budget spent, no credentials) is unavailable; any
 * other refusal (4xx: InvalidCiphertextException for a changed blob or another context,
 * IncorrectKeyException, AccessDeniedException, a disabled or deleted key) is refused.
 */
export function kmsError(operation: 'GenerateDataKey' | 'Decrypt', error: unknown): KeyServiceUnavailableError | KeyRefusedError {
  const sdk = (error ?? {}) as SdkError;
  const name = sdk.name ?? 'Error';
  const status = sdk.$metadata?.httpStatusCode;
  if (UNAVAILABLE.has(name) || sdk.$retryable || status === undefined || status >= 500) {
    return new KeyServiceUnavailableError(`KMS ${operation} did not succeed: ${name}${status ? ` (HTTP ${status})` : ''}`, { cause: error });
  }
  return new KeyRefusedError(`KMS refused ${operation}: ${name}`, { cause: error });
}

/**
 * The key-encryption port over an AWS KMS key. The context is the EncryptionContext of both calls,
 * so KMS itself refuses a data key asked for with another context, and CloudTrail shows what each
 * call was for. A wrapped key is KMS's CiphertextBlob in base64url.
 */
export function kmsKeyVault({ client, keyId, budgetMs = 3_000 }: KmsKeyVaultOptions): KeyVault {
  if (!keyId.trim()) throw new TypeError('A KMS key id is required');

  const call = async <T>(operation: 'GenerateDataKey' | 'Decrypt', send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await send(AbortSignal.timeout(budgetMs));
    } catch (error) {
      throw kmsError(operation, error);
    }
  };

  return {
    kek: { type: 'kms', id: keyId },

    async generateDataKey(context: KeyContext): Promise<DataKey> {
      canonicalContext(context);
      const out = await call('GenerateDataKey', (abortSignal) =>
        client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }), { abortSignal }),
      );
      if (out.Plaintext?.length !== DATA_KEY_BYTES || !out.CiphertextBlob?.length) {
        throw new KeyRefusedError('KMS GenerateDataKey answered without a 256-bit data key');
      }
      const plaintext = new Uint8Array(out.Plaintext);
      out.Plaintext.fill(0);
      return { plaintext, wrapped: encodeBase64url(out.CiphertextBlob) };
    },

    async unwrapDataKey(wrapped: string, context: KeyContext): Promise<Uint8Array> {
      canonicalContext(context);
      const blob = decodeBase64url(wrapped);
      if (!blob?.length) throw new KeyRefusedError('Not a data key wrapped by KMS');
      const out = await call('Decrypt', (abortSignal) =>
        client.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: keyId, EncryptionContext: { ...context }, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }), {
          abortSignal,
        }),
      );
      if (out.Plaintext?.length !== DATA_KEY_BYTES) throw new KeyRefusedError('KMS Decrypt answered without a 256-bit data key');
      const plaintext = new Uint8Array(out.Plaintext);
      out.Plaintext.fill(0);
      return plaintext;
    },
  };
}
