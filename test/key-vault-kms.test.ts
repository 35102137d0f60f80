import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeyRefusedError, KeyServiceUnavailableError, type KeyVault } from '../src/core/key-vault';
import { openSecretText, sealSecret } from '../src/core/sealed-secret';
import { createKmsClient, type KmsClientOptions } from '../src/keys/kms-client';
import { kmsKeyVault } from '../src/keys/kms-key-vault';
import { runKeyVaultContract } from './helpers/key-vault-contract';
import { type KmsEndpoint, startKmsEndpoint } from './helpers/kms-endpoint';

let kms: KmsEndpoint;
beforeAll(async () => {
  kms = await startKmsEndpoint();
});
afterAll(() => kms.close());

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local-test-secret' };
const client = (options: KmsClientOptions = {}) => createKmsClient({ endpoint: kms.url, region: kms.region, credentials: CREDENTIALS, ...options });

runKeyVaultContract('kms', () => {
  const shared = client();
  return { vault: kmsKeyVault({ client: shared, keyId: kms.createKey().arn }), foreign: kmsKeyVault({ client: shared, keyId: kms.createKey().keyId }) };
});

const CONTEXT = { purpose: 'signing-key', kid: 'k1' };

describe('KMS key vault', () => {
  let vault: KeyVault;
  let alias: string;
  beforeEach(() => {
    kms.fail(null);
    alias = `alias/gatehouse-${Math.random().toString(36).slice(2)}`;
    kms.createKey(alias);
    vault = kmsKeyVault({ client: client(), keyId: alias });
    kms.calls.length = 0;
  });

  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as Error,
    );

  it('sends the context as the EncryptionContext of every call, signed, pinned to the configured key', async () => {
    const sealed = await sealSecret(vault, CONTEXT, 'private key');
    expect(sealed).toMatchObject({ kek: 'kms', kid: alias });
    expect(await openSecretText(vault, sealed, { kid: 'k1', purpose: 'signing-key' })).toBe('private key');
    expect(kms.calls).toEqual([
      { target: 'GenerateDataKey', keyId: alias, encryptionContext: CONTEXT, signed: true, answer: 'ok' },
      { target: 'Decrypt', keyId: alias, encryptionContext: CONTEXT, signed: true, answer: 'ok' },
    ]);
  });

  it('is refused by KMS itself when opened with another context', async () => {
    const sealed = await sealSecret(vault, CONTEXT, 'private key');
    const error = await errorOf(openSecretText(vault, sealed, { ...CONTEXT, kid: 'k2' }));
    expect(error).toBeInstanceOf(KeyRefusedError);
    expect(error?.message).toBe('KMS refused Decrypt: InvalidCiphertextException');
    expect(kms.calls.at(-1)).toEqual({
      target: 'Decrypt',
      keyId: alias,
      encryptionContext: { ...CONTEXT, kid: 'k2' },
      signed: true,
      answer: 'InvalidCiphertextException',
    });
  });

  it('refuses a data key wrapped under another KMS key (IncorrectKeyException), without retrying', async () => {
    const sealed = await sealSecret(kmsKeyVault({ client: client(), keyId: kms.createKey().arn }), CONTEXT, 'private key');
    kms.calls.length = 0;
    const error = await errorOf(openSecretText(vault, { ...sealed, kid: alias }, CONTEXT));
    expect(error).toBeInstanceOf(KeyRefusedError);
    expect(error?.message).toBe('KMS refused Decrypt: IncorrectKeyException');
    expect(kms.calls.map((call) => call.answer)).toEqual(['IncorrectKeyException']);
  });

  it('refuses when access is denied, and asks only once', async () => {
    kms.fail('access_denied');
    const error = await errorOf(sealSecret(vault, CONTEXT, 'x'));
    expect(error).toBeInstanceOf(KeyRefusedError);
    expect(error?.message).toBe('KMS refused GenerateDataKey: AccessDeniedException');
    expect(kms.calls).toHaveLength(1);
  });

  it('refuses a key that does not exist', async () => {
    const error = await errorOf(sealSecret(kmsKeyVault({ client: client(), keyId: 'alias/missing' }), CONTEXT, 'x'));
    expect(error).toBeInstanceOf(KeyRefusedError);
    expect(error?.message).toBe('KMS refused GenerateDataKey: NotFoundException');
  });

  it('refuses a wrapped key that is not base64url without asking KMS', async () => {
    await expect(vault.unwrapDataKey('not base64url!', CONTEXT)).rejects.toBeInstanceOf(KeyRefusedError);
    await expect(vault.unwrapDataKey('', CONTEXT)).rejects.toBeInstanceOf(KeyRefusedError);
    expect(kms.calls).toEqual([]);
  });

  it('retries a throttled call and succeeds, the context on every attempt', async () => {
    kms.fail('throttling', 1);
    const sealed = await sealSecret(vault, CONTEXT, 'private key');
    expect(await openSecretText(vault, sealed, CONTEXT)).toBe('private key');
    expect(kms.calls.map(({ target, answer, encryptionContext }) => [target, answer, encryptionContext])).toEqual([
      ['GenerateDataKey', 'ThrottlingException', CONTEXT],
      ['GenerateDataKey', 'ok', CONTEXT],
      ['Decrypt', 'ok', CONTEXT],
    ]);
  });

  it.each([
    ['throttling', 'ThrottlingException (HTTP 400)'],
    ['internal_error', 'KMSInternalException (HTTP 500)'],
  ] as const)('is unavailable when KMS keeps answering %s, after 3 attempts', async (fault, shown) => {
    const sealed = await sealSecret(vault, CONTEXT, 'private key');
    kms.calls.length = 0;
    kms.fail(fault);
    // The SDK waits at random between attempts, up to 1 s and then 2 s when throttled: with the
    // default 3 s budget, a slow attempt may leave the budget, not the attempts, to end the call.
    const patient = kmsKeyVault({ client: client(), keyId: alias, budgetMs: 15_000 });
    const error = await errorOf(openSecretText(patient, sealed, CONTEXT));
    expect(error).toBeInstanceOf(KeyServiceUnavailableError);
    expect((error as KeyServiceUnavailableError).code).toBe('key_service_unavailable');
    expect(error?.message).toBe(`KMS Decrypt did not succeed: ${shown}`);
    expect(kms.calls).toHaveLength(3);
    expect(kms.calls.every((call) => call.target === 'Decrypt' && call.encryptionContext?.kid === 'k1')).toBe(true);
  });

  it('is unavailable when KMS hangs: each attempt times out and the call ends', async () => {
    const sealed = await sealSecret(vault, CONTEXT, 'private key');
    kms.calls.length = 0;
    kms.fail('hang');
    const error = await errorOf(openSecretText(vault, sealed, CONTEXT));
    expect(error).toBeInstanceOf(KeyServiceUnavailableError);
    expect(error?.message).toMatch(/^KMS Decrypt did not succeed: (TimeoutError|AbortError)$/);
    expect(kms.calls.length).toBeGreaterThanOrEqual(1);
    expect(kms.calls.every((call) => call.answer === 'hang')).toBe(true);
    kms.fail(null);
    expect(await openSecretText(vault, sealed, CONTEXT)).toBe('private key');
  });

  it('ends a hung call at its budget even when the client would wait far longer', { timeout: 15_000 }, async () => {
    const patient = kmsKeyVault({ client: client({ requestTimeoutMs: 600_000, maxAttempts: 5 }), keyId: alias, budgetMs: 1_000 });
    kms.fail('hang');
    const error = await errorOf(patient.generateDataKey(CONTEXT));
    expect(error).toBeInstanceOf(KeyServiceUnavailableError);
    expect(kms.calls).toHaveLength(1);
  });

  it('is unavailable when nothing listens at the endpoint', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((done) => server.close(() => done()));
    const unreachable = kmsKeyVault({
      client: createKmsClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: CREDENTIALS }),
      keyId: alias,
    });
    const error = await errorOf(unreachable.generateDataKey(CONTEXT));
    expect(error).toBeInstanceOf(KeyServiceUnavailableError);
    expect(error?.message).toMatch(/^KMS GenerateDataKey did not succeed: /);
  });
});
