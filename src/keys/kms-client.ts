import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KmsClientOptions {
  /** An endpoint override (a local KMS-compatible endpoint in tests). */
  readonly endpoint?: string;
  readonly region?: string;
  /** Explicit credentials; by default the SDK's chain (environment, Lambda role, profile). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Attempts per call, the first included (default 3). */
  readonly maxAttempts?: number;
  /** Give up connecting after this long (default 1 000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Give up one attempt after this long without an answer (default 1 500 ms). */
  readonly requestTimeoutMs?: number;
}

/**
 * A KMS client with short timeouts: KMS answers in milliseconds within a region, so an attempt that
 * has not connected in 1 s or answered in 1.5 s is given up and retried; the vault's call budget
 * (kmsKeyVault) bounds the whole call. Keep-alive saves the TLS handshake on warm instances.
 */
export function createKmsClient(options: KmsClientOptions = {}): KMSClient {
  return new KMSClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 1_000,
      requestTimeout: options.requestTimeoutMs ?? 1_500,
      throwOnRequestTimeout: true,
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
    }),
  });
}
