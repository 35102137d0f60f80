import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../src/core/base64url-bytes';
import { KeyRefusedError, type KeyVault } from '../../src/core/key-vault';
import { isSealedSecret, openSecret, openSecretText, type SealedSecret, sealSecret } from '../../src/core/sealed-secret';

export interface VaultPair {
  /** The vault under test. */
  readonly vault: KeyVault;
  /** A vault of the same kind over another key-encryption key. */
  readonly foreign: KeyVault;
}

const CONTEXT = { purpose: 'signing-key', kid: 'k-2026-01' };
const SECRET = '{"kty":"RSA","d":"private exponent stand-in","p":"…"}';

/** A copy of `text` (base64url) with one bit of byte `index` flipped. */
function flipBit(text: string, index = 0): string {
  const bytes = decodeBase64url(text)!;
  bytes[Math.min(index, bytes.length - 1)]! ^= 0x01;
  return encodeBase64url(bytes);
}

const refused = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(KeyRefusedError);

/** What every key-encryption adapter must do; run once per adapter. */
export function runKeyVaultContract(name: string, make: () => Promise<VaultPair> | VaultPair): void {
  describe(`key vault contract: ${name}`, () => {
    it('seals a secret and opens it again, bytes and text alike, through JSON', async () => {
      const { vault } = await make();
      const bytes = crypto.getRandomValues(new Uint8Array(64));
      const sealedBytes = JSON.parse(JSON.stringify(await sealSecret(vault, CONTEXT, bytes))) as SealedSecret;
      const sealedText = JSON.parse(JSON.stringify(await sealSecret(vault, CONTEXT, SECRET))) as SealedSecret;

      expect(await openSecret(vault, sealedBytes, CONTEXT)).toEqual(bytes);
      expect(await openSecretText(vault, sealedText, CONTEXT)).toBe(SECRET);
      expect(isSealedSecret(sealedText)).toBe(true);
      expect(Object.keys(sealedText).sort()).toEqual(['ct', 'iv', 'kek', 'kid', 'v', 'wrapped']);
      expect(sealedText).toMatchObject({ v: 1, kek: vault.kek.type, kid: vault.kek.id });
      for (const field of ['wrapped', 'iv', 'ct'] as const) expect(sealedText[field]).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeBase64url(sealedText.iv)).toHaveLength(12);
      // AES-GCM: the ciphertext is the plaintext's length plus a 16-byte tag, and shows nothing of it.
      expect(decodeBase64url(sealedText.ct)).toHaveLength(new TextEncoder().encode(SECRET).length + 16);
      expect(JSON.stringify(sealedText)).not.toContain('private exponent');
    });

    it('uses a fresh data key and nonce for every seal', async () => {
      const { vault } = await make();
      const first = await sealSecret(vault, CONTEXT, SECRET);
      const second = await sealSecret(vault, CONTEXT, SECRET);
      expect(second.wrapped).not.toBe(first.wrapped);
      expect(second.iv).not.toBe(first.iv);
      expect(second.ct).not.toBe(first.ct);
      expect(await openSecretText(vault, second, CONTEXT)).toBe(SECRET);
    });

    it('opens with the same context written in another order', async () => {
      const { vault } = await make();
      const sealed = await sealSecret(vault, { b: '2', a: '1' }, SECRET);
      expect(await openSecretText(vault, sealed, { a: '1', b: '2' })).toBe(SECRET);
    });

    it('refuses to open a secret with another context (a ciphertext moved to another item)', async () => {
      const { vault } = await make();
      const sealed = await sealSecret(vault, CONTEXT, SECRET);
      await refused(openSecret(vault, sealed, { ...CONTEXT, kid: 'k-2026-02' }));
      await refused(openSecret(vault, sealed, { purpose: 'totp-secret', kid: CONTEXT.kid }));
      await refused(openSecret(vault, sealed, { ...CONTEXT, user: 'alice' }));
      await refused(openSecret(vault, sealed, { purpose: CONTEXT.purpose }));
      // Nothing was spoiled: the right context still opens it.
      expect(await openSecretText(vault, sealed, CONTEXT)).toBe(SECRET);
    });

    it('refuses a data key unwrapped with another context', async () => {
      const { vault } = await make();
      const dataKey = await vault.generateDataKey(CONTEXT);
      expect(await vault.unwrapDataKey(dataKey.wrapped, { kid: CONTEXT.kid, purpose: CONTEXT.purpose })).toEqual(dataKey.plaintext);
      await refused(vault.unwrapDataKey(dataKey.wrapped, { ...CONTEXT, kid: 'other' }));
    });

    it.each([
      ['iv', 0],
      ['iv', 11],
      ['ct', 0],
      ['ct', 10_000],
      ['wrapped', 0],
      ['wrapped', 40],
      ['wrapped', 10_000],
    ] as const)('refuses a sealed secret whose %s was changed (byte %i)', async (field, index) => {
      const { vault } = await make();
      const sealed = await sealSecret(vault, CONTEXT, SECRET);
      await refused(openSecret(vault, { ...sealed, [field]: flipBit(sealed[field], index) }, CONTEXT));
    });

    it('refuses a sealed secret whose header fields were changed, or that is cut or padded', async () => {
      const { vault } = await make();
      const sealed = await sealSecret(vault, CONTEXT, SECRET);
      await refused(openSecret(vault, { ...sealed, kid: `${sealed.kid}x` }, CONTEXT));
      await refused(openSecret(vault, { ...sealed, kek: sealed.kek === 'local' ? 'kms' : 'local' }, CONTEXT));
      await refused(openSecret(vault, { ...sealed, v: 2 } as unknown as SealedSecret, CONTEXT));
      await refused(openSecret(vault, { ...sealed, ct: sealed.ct.slice(0, -4) }, CONTEXT));
      await refused(openSecret(vault, { ...sealed, ct: `${sealed.ct}AAAA` }, CONTEXT));
      await refused(openSecret(vault, { ...sealed, iv: `${sealed.iv}=` }, CONTEXT));
      await refused(openSecret(vault, { ...sealed, wrapped: '' }, CONTEXT));
      await refused(openSecret(vault, { ...sealed, extra: 1 } as unknown as SealedSecret, CONTEXT));
      await refused(openSecret(vault, null as unknown as SealedSecret, CONTEXT));
    });

    it('refuses a secret sealed under another key-encryption key', async () => {
      const { vault, foreign } = await make();
      const sealed = await sealSecret(foreign, CONTEXT, SECRET);
      expect(sealed.kid).not.toBe(vault.kek.id);
      await refused(openSecret(vault, { ...sealed, kid: vault.kek.id }, CONTEXT));
      await refused(vault.unwrapDataKey(sealed.wrapped, CONTEXT));
      expect(await openSecretText(foreign, sealed, CONTEXT)).toBe(SECRET);
    });

    it('rejects a context that binds nothing or uses reserved names, before any key is made', async () => {
      const { vault } = await make();
      await expect(sealSecret(vault, {}, SECRET)).rejects.toThrow(TypeError);
      await expect(sealSecret(vault, { 'aws:s3:arn': 'x' }, SECRET)).rejects.toThrow(TypeError);
      await expect(sealSecret(vault, { n: 1 as unknown as string }, SECRET)).rejects.toThrow(TypeError);
    });
  });
}
