import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSecretText, sealSecret } from '../src/core/sealed-secret';
import { KeyConfigError, loadLocalKek } from '../src/keys/local-kek';
import { localKeyVault } from '../src/keys/local-key-vault';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-kek-'));
  file = join(dir, '.data', 'key-encryption-key');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The KeyConfigError message `load` throws (failing the test if it throws nothing else). */
function configError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a KeyConfigError');
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('local key-encryption key from a file', () => {
  it('is made on first start: 32 random bytes, owner-only, in a private new folder, whatever the umask', () => {
    const previous = process.umask(0);
    let kek: ReturnType<typeof loadLocalKek>;
    try {
      kek = loadLocalKek({ env: {}, file });
    } finally {
      process.umask(previous);
    }
    expect(kek).toMatchObject({ source: 'file', file, created: true });
    expect(kek.key).toHaveLength(32);
    expect(new Uint8Array(readFileSync(file))).toEqual(kek.key);
    expect(mode(file)).toBe(0o600);
    expect(mode(join(dir, '.data'))).toBe(0o700);
    // No temporary file is left next to it.
    expect(readdirSync(join(dir, '.data'))).toEqual(['key-encryption-key']);
  });

  it('is reused on the next start, so what was sealed before still opens', async () => {
    const first = loadLocalKek({ env: {}, file });
    const sealed = await sealSecret(localKeyVault({ key: first.key }), { purpose: 'refresh-hmac' }, 'hmac secret');
    const second = loadLocalKek({ env: {}, file });
    expect(second).toMatchObject({ source: 'file', created: false });
    expect(second.key).toEqual(first.key);
    expect(await openSecretText(localKeyVault({ key: second.key }), sealed, { purpose: 'refresh-hmac' })).toBe('hmac secret');
  });

  it('is accepted read-only for its owner (0400)', () => {
    const first = loadLocalKek({ env: {}, file });
    chmodSync(file, 0o400);
    expect(loadLocalKek({ env: {}, file }).key).toEqual(first.key);
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o602])('is refused with one line when its mode is %o', (bits) => {
    loadLocalKek({ env: {}, file });
    chmodSync(file, bits);
    const shown = bits.toString(8).padStart(4, '0');
    expect(configError(() => loadLocalKek({ env: {}, file }))).toBe(
      `Refusing the key-encryption key file ${file}: its mode ${shown} lets other users at it; run: chmod 600 ${file}`,
    );
  });

  it.each([0, 31, 33, 44])('is refused with one line when it holds %i bytes, and left as it is', (size) => {
    mkdirSync(join(dir, '.data'));
    writeFileSync(file, Buffer.alloc(size, 7), { mode: 0o600 });
    expect(configError(() => loadLocalKek({ env: {}, file }))).toBe(
      `Refusing the key-encryption key file ${file}: it holds ${size} bytes, not 32; restore it from a backup (a new key cannot open what the old one sealed)`,
    );
    expect(readFileSync(file)).toEqual(Buffer.alloc(size, 7));
  });

  it('is refused when the path is a folder', () => {
    mkdirSync(file, { recursive: true, mode: 0o700 });
    expect(configError(() => loadLocalKek({ env: {}, file }))).toBe(`Refusing the key-encryption key file ${file}: it is not a regular file`);
  });

  it('is made once when several processes start together: all of them use the same key', async () => {
    const script = `import { loadLocalKek } from ${JSON.stringify(join(ROOT, 'src/keys/local-kek.ts'))};
      const kek = loadLocalKek({ env: {}, file: process.argv[1] });
      console.log(JSON.stringify({ key: Buffer.from(kek.key).toString('hex'), created: kek.created }));`;
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], { cwd: ROOT });
    const results = (await Promise.all([run(), run(), run(), run()])).map(({ stdout }) => JSON.parse(stdout) as { key: string; created: boolean });
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.key)).size).toBe(1);
    expect(readFileSync(file).toString('hex')).toBe(results[0]!.key);
    expect(readdirSync(join(dir, '.data'))).toEqual(['key-encryption-key']);
  });
});

describe('local key-encryption key from AUTH_KEY_ENCRYPTION_KEY', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));

  it('takes 32 bytes in base64 (or base64url), and then makes no file', () => {
    for (const text of [key.toString('base64'), key.toString('base64url'), ` ${key.toString('base64')}\n`]) {
      const kek = loadLocalKek({ env: { AUTH_KEY_ENCRYPTION_KEY: text }, file });
      expect(kek).toMatchObject({ source: 'env', created: false });
      expect(kek.key).toEqual(new Uint8Array(key));
    }
    expect(() => statSync(file)).toThrow(/ENOENT/);
  });

  it('falls back to the file when the variable is empty', () => {
    expect(loadLocalKek({ env: { AUTH_KEY_ENCRYPTION_KEY: '' }, file })).toMatchObject({ source: 'file', created: true });
  });

  it.each(['not base64 at all!', 'abc$def', '====', key.toString('hex').slice(0, 43) + '%'])(
    'refuses %j with one line naming the variable, never echoing it',
    (text) => {
      const message = configError(() => loadLocalKek({ env: { AUTH_KEY_ENCRYPTION_KEY: text }, file }));
      expect(message).toBe(
        'Invalid configuration: AUTH_KEY_ENCRYPTION_KEY must be 32 random bytes in base64 (44 characters, e.g. from `openssl rand -base64 32`); it is not base64',
      );
    },
  );

  it.each([16, 31, 33, 64])('refuses a key of %i bytes with one line naming the variable', (size) => {
    const text = Buffer.alloc(size, 1).toString('base64');
    const message = configError(() => loadLocalKek({ env: { AUTH_KEY_ENCRYPTION_KEY: text }, file }));
    expect(message).toBe(
      `Invalid configuration: AUTH_KEY_ENCRYPTION_KEY must be 32 random bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`); it decodes to ${size} bytes`,
    );
    expect(message).not.toContain(text);
  });
});
