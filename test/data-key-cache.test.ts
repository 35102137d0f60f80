import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedKeyVault } from '../src/core/data-key-cache';
import { KeyRefusedError, KeyServiceUnavailableError, type KeyVault } from '../src/core/key-vault';
import { openSecretText, type SealedSecret, sealSecret } from '../src/core/sealed-secret';
import { createKmsClient } from '../src/keys/kms-client';
import { kmsKeyVault } from '../src/keys/kms-key-vault';
import { type TestClock, testClock } from './helpers/clock';
import { type KmsEndpoint, startKmsEndpoint } from './helpers/kms-endpoint';

const MINUTE = 60_000;
const CONTEXT = { purpose: 'signing-key', kid: 'k1' };

let kms: KmsEndpoint;
let kmsVault: KeyVault;
beforeAll(async () => {
  kms = await startKmsEndpoint();
  const client = createKmsClient({ endpoint: kms.url, region: kms.region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local-test-secret' } });
  kmsVault = kmsKeyVault({ client, keyId: kms.createKey('alias/cache').arn });
});
afterAll(() => kms.close());

const decrypts = () => kms.calls.filter((call) => call.target === 'Decrypt');

describe('data-key cache in front of KMS', () => {
  let clock: TestClock;
  let sealed: SealedSecret;
  beforeEach(async () => {
    kms.fail(null);
    clock = testClock(Date.UTC(2026, 0, 1));
    // Sealed by another instance: this one has never seen the data key.
    sealed = await sealSecret(kmsVault, CONTEXT, 'private key');
    kms.calls.length = 0;
  });

  it('opens a second time within the lifetime without a KMS call, and asks again after it', async () => {
    const vault = cachedKeyVault(kmsVault, { clock });
    expect(await openSecretText(vault, sealed, CONTEXT)).toBe('private key');
    expect(decrypts()).toHaveLength(1);

    clock.advance(5 * MINUTE - 1);
    expect(await openSecretText(vault, sealed, CONTEXT)).toBe('private key');
    expect(decrypts()).toHaveLength(1);

    clock.advance(1);
    expect(await openSecretText(vault, sealed, CONTEXT)).toBe('private key');
    expect(decrypts()).toHaveLength(2);
    expect(decrypts().every((call) => call.encryptionContext?.kid === 'k1')).toBe(true);
  });

  it('keeps a key for its lifetime from the unwrap, however often it is used', async () => {
    const vault = cachedKeyVault(kmsVault, { clock, ttlMs: 10 * MINUTE });
    for (let minute = 0; minute < 10; minute++) {
      expect(await openSecretText(vault, sealed, CONTEXT)).toBe('private key');
      clock.advance(MINUTE);
    }
    expect(decrypts()).toHaveLength(1);
    await openSecretText(vault, sealed, CONTEXT);
    expect(decrypts()).toHaveLength(2);
  });

  it('never serves another context from the cache: KMS is asked and refuses', async () => {
    const vault = cachedKeyVault(kmsVault, { clock });
    await openSecretText(vault, sealed, CONTEXT);
    await expect(openSecretText(vault, sealed, { ...CONTEXT, kid: 'k2' })).rejects.toBeInstanceOf(KeyRefusedError);
    expect(decrypts().map((call) => [call.encryptionContext?.kid, call.answer])).toEqual([
      ['k1', 'ok'],
      ['k2', 'InvalidCiphertextException'],
    ]);
    // A refusal is not remembered either: the next try asks again.
    await expect(openSecretText(vault, sealed, { ...CONTEXT, kid: 'k2' })).rejects.toBeInstanceOf(KeyRefusedError);
    expect(decrypts()).toHaveLength(3);
  });

  it('opens what it sealed itself without any Decrypt call', async () => {
    const vault = cachedKeyVault(kmsVault, { clock });
    const own = await sealSecret(vault, CONTEXT, 'totp secret');
    expect(await openSecretText(vault, own, CONTEXT)).toBe('totp secret');
    expect(kms.calls.map((call) => call.target)).toEqual(['GenerateDataKey']);
  });

  it('shares one KMS call among concurrent opens of the same key', async () => {
    const vault = cachedKeyVault(kmsVault, { clock });
    const opened = await Promise.all(Array.from({ length: 20 }, () => openSecretText(vault, sealed, CONTEXT)));
    expect(new Set(opened)).toEqual(new Set(['private key']));
    expect(decrypts()).toHaveLength(1);
  });

  it('keeps at most maxEntries keys, dropping the least recently used', async () => {
    const vault = cachedKeyVault(kmsVault, { clock, maxEntries: 2 });
    const others = await Promise.all(['k2', 'k3'].map((kid) => sealSecret(kmsVault, { ...CONTEXT, kid }, kid)));
    kms.calls.length = 0;
    await openSecretText(vault, sealed, CONTEXT); // k1
    await openSecretText(vault, others[0]!, { ...CONTEXT, kid: 'k2' });
    await openSecretText(vault, sealed, CONTEXT); // k1 used again: k2 is now the oldest
    await openSecretText(vault, others[1]!, { ...CONTEXT, kid: 'k3' }); // drops k2
    expect(vault.size).toBe(2);
    expect(decrypts()).toHaveLength(3);
    await openSecretText(vault, sealed, CONTEXT);
    expect(decrypts()).toHaveLength(3);
    await openSecretText(vault, others[0]!, { ...CONTEXT, kid: 'k2' });
    expect(decrypts().map((call) => call.encryptionContext?.kid)).toEqual(['k1', 'k2', 'k3', 'k2']);
  });

  it('serves warm keys while KMS is down, and fails cold ones as unavailable', async () => {
    const vault = cachedKeyVault(kmsVault, { clock });
    await openSecretText(vault, sealed, CONTEXT);
    const cold = await sealSecret(kmsVault, { ...CONTEXT, kid: 'k9' }, 'cold');
    kms.fail('internal_error');
    expect(await openSecretText(vault, sealed, CONTEXT)).toBe('private key');
    await expect(openSecretText(vault, cold, { ...CONTEXT, kid: 'k9' })).rejects.toBeInstanceOf(KeyServiceUnavailableError);
    kms.fail(null);
    expect(await openSecretText(vault, cold, { ...CONTEXT, kid: 'k9' })).toBe('cold');
  });

  it('forgets every key on clear()', async () => {
    const vault = cachedKeyVault(kmsVault, { clock });
    await openSecretText(vault, sealed, CONTEXT);
    vault.clear();
    expect(vault.size).toBe(0);
    await openSecretText(vault, sealed, CONTEXT);
    expect(decrypts()).toHaveLength(2);
  });

  it('hands each caller its own copy of a key, so zeroing one spoils nothing', async () => {
    const vault = cachedKeyVault(kmsVault, { clock });
    const first = await vault.unwrapDataKey(sealed.wrapped, CONTEXT);
    const expected = first.slice();
    first.fill(0);
    expect(await vault.unwrapDataKey(sealed.wrapped, CONTEXT)).toEqual(expected);
    expect(decrypts()).toHaveLength(1);
  });
});
