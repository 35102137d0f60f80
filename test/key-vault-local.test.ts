import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRefusedError } from '../src/core/key-vault';
import { openSecret, sealSecret } from '../src/core/sealed-secret';
import { kekFingerprint, localKeyVault } from '../src/keys/local-key-vault';
import { runKeyVaultContract } from './helpers/key-vault-contract';

const newKey = () => Uint8Array.from(randomBytes(32));

runKeyVaultContract('local', () => ({ vault: localKeyVault({ key: newKey() }), foreign: localKeyVault({ key: newKey() }) }));

describe('local key vault', () => {
  it('opens what another instance over the same key sealed (a restart)', async () => {
    const key = newKey();
    const sealed = await sealSecret(localKeyVault({ key }), { purpose: 'totp-secret', user: 'alice' }, 'JBSWY3DPEHPK3PXP');
    const reopened = await openSecret(localKeyVault({ key: Uint8Array.from(key) }), sealed, { purpose: 'totp-secret', user: 'alice' });
    expect(new TextDecoder().decode(reopened)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('names both keys when a secret was sealed under another local key', async () => {
    const [mine, theirs] = [newKey(), newKey()];
    const sealed = await sealSecret(localKeyVault({ key: theirs }), { purpose: 'refresh-hmac' }, 'secret');
    const error = await openSecret(localKeyVault({ key: mine }), sealed, { purpose: 'refresh-hmac' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyRefusedError);
    expect((error as KeyRefusedError).code).toBe('key_refused');
    expect((error as Error).message).toBe(
      `The data key was wrapped under another key-encryption key (${kekFingerprint(theirs)}); this one is ${kekFingerprint(mine)}`,
    );
  });

  it('identifies the key by a stable fingerprint that is not the key', () => {
    const key = newKey();
    const vault = localKeyVault({ key });
    expect(vault.kek).toEqual({ type: 'local', id: kekFingerprint(key) });
    expect(vault.kek.id).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(localKeyVault({ key: Uint8Array.from(key) }).kek.id).toBe(vault.kek.id);
    expect(Buffer.from(key).toString('base64url')).not.toContain(vault.kek.id);
  });

  it('wraps a data key in 69 bytes bound to the key and the context', async () => {
    const vault = localKeyVault({ key: newKey() });
    const { plaintext, wrapped } = await vault.generateDataKey({ purpose: 'signing-key' });
    expect(plaintext).toHaveLength(32);
    expect(Buffer.from(wrapped, 'base64url')).toHaveLength(69);
    expect(Buffer.from(wrapped, 'base64url').includes(Buffer.from(plaintext))).toBe(false);
  });

  it('takes only a 32-byte key', () => {
    expect(() => localKeyVault({ key: new Uint8Array(16) })).toThrow('A local key-encryption key must be 32 bytes');
    expect(() => localKeyVault({ key: new Uint8Array(33) })).toThrow(TypeError);
  });
});
