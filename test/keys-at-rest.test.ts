import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { decodeProtectedHeader, type JWK } from 'jose';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url } from '../src/core/base64url';
import type { KeyContext, KeyVault } from '../src/core/key-vault';
import { KEYS_PK, REFRESH_KEY, SIGNING_KEY_PREFIX, type SigningKeyRecord } from '../src/core/records';
import { openSecret, openSecretText } from '../src/core/sealed-secret';
import { refreshKeyContext, signingKeyContext } from '../src/core/secret-contexts';
import { createKmsClient } from '../src/keys/kms-client';
import { kmsKeyVault } from '../src/keys/kms-key-vault';
import { localKeyVault } from '../src/keys/local-key-vault';
import { dynamoStore } from '../src/store/dynamodb';
import { ensureTable } from '../src/store/dynamodb-table';
import { sqliteStore } from '../src/store/sqlite';
import type { Store } from '../src/store/store';
import { bearer, makeTestApp, PASSWORD, type TestApp, testKeyVault } from './helpers/app';
import { testClock } from './helpers/clock';
import { localClients, uniqueTable } from './helpers/dynamodb';
import { type KmsEndpoint, startKmsEndpoint } from './helpers/kms-endpoint';
import { hasDynamo } from './helpers/stores';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store whose every stored byte the test can read back raw, as a backup or an export would. */
interface RawStore {
  readonly name: string;
  make(now: () => number): Promise<{ store: Store; dump(): Promise<string> }>;
}

let files = 0;
const rawStores: RawStore[] = [
  {
    name: 'sqlite',
    async make(now) {
      const file = join(dir, `raw-${files++}.db`);
      const store = sqliteStore({ file, now });
      return {
        store,
        dump: async () => {
          const db = new Database(file);
          const rows = db.prepare('SELECT pk, sk, data FROM items').all();
          db.close();
          return JSON.stringify(rows);
        },
      };
    },
  },
  ...(hasDynamo()
    ? [
        {
          name: 'dynamodb',
          async make(now: () => number) {
            const table = uniqueTable('raw');
            await ensureTable(localClients().client, table);
            const store = { ...dynamoStore({ client: localClients().document, table, now }), close: async () => {} };
            return { store, dump: async () => JSON.stringify((await localClients().document.send(new ScanCommand({ TableName: table }))).Items) };
          },
        },
      ]
    : []),
];

const PRIVATE_PARAMS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

async function privateJwkOf(store: Store, vault: KeyVault, kid: string): Promise<JWK> {
  const item = await store.get<SigningKeyRecord>({ pk: KEYS_PK, sk: `${SIGNING_KEY_PREFIX}${kid}` });
  return JSON.parse(await openSecretText(vault, item!.data.sealedPrivateJwk!, signingKeyContext(kid))) as JWK;
}

describe.each(rawStores)('secrets at rest on $name', (kind) => {
  it('keeps no private key, refresh key or PEM in the clear anywhere in the store after a full flow', async () => {
    const clock = testClock();
    const { store, dump } = await kind.make(() => clock.now());
    const t = await makeTestApp(store, { clock });
    expect((await t.register('alice', PASSWORD, { email: 'alice@example.com' })).status).toBe(201);
    const login = await t.login('alice');
    expect((await t.call('/token/refresh', { body: { refreshToken: login.refreshToken } })).status).toBe(200);
    const kid = decodeProtectedHeader(login.token).kid!;

    const raw = await dump();
    const jwk = await privateJwkOf(store, testKeyVault, kid);
    for (const param of PRIVATE_PARAMS) {
      expect(typeof jwk[param]).toBe('string');
      expect(raw).not.toContain(jwk[param] as string);
    }
    expect(raw).not.toContain('-----BEGIN');
    const refresh = await store.get<{ sealed: never }>(REFRESH_KEY);
    expect(Object.keys(refresh!.data).sort()).toEqual(['createdAt', 'sealed']);
    const hmacKey = await openSecret(testKeyVault, refresh!.data.sealed, refreshKeyContext());
    expect(hmacKey).toHaveLength(32);
    expect(raw).not.toContain(base64url(hmacKey));
    // A sealed value moved onto another item does not open.
    const other = await t.store.list<SigningKeyRecord>(KEYS_PK, { prefix: SIGNING_KEY_PREFIX });
    await expect(openSecretText(testKeyVault, other[0]!.data.sealedPrivateJwk!, signingKeyContext('someotherkid'))).rejects.toMatchObject({
      name: 'KeyRefusedError',
    });
  });

  it('seals the keys of a store written by the previous version on first use, and issued tokens keep working', async () => {
    const clock = testClock();
    const { store, dump } = await kind.make(() => clock.now());
    const before = await makeTestApp(store, { clock });
    await before.register('carol');
    const first = await before.login('carol');
    const refreshed = await (await before.call('/token/refresh', { body: { refreshToken: first.refreshToken } })).json();
    const login = { token: refreshed.response.token as string, refreshToken: refreshed.refreshToken as string };
    // The store as the previous version wrote it: private JWK and refresh key in the clear.
    const kid = decodeProtectedHeader(login.token).kid!;
    const keyItem = (await store.get<SigningKeyRecord>({ pk: KEYS_PK, sk: `${SIGNING_KEY_PREFIX}${kid}` }))!;
    await store.put({
      pk: keyItem.pk,
      sk: keyItem.sk,
      data: { ...keyItem.data, sealedPrivateJwk: undefined, privateJwk: await privateJwkOf(store, testKeyVault, kid) },
    });
    const refresh = (await store.get<{ sealed: never; createdAt: string }>(REFRESH_KEY))!;
    const secret = base64url(await openSecret(testKeyVault, refresh.data.sealed, refreshKeyContext()));
    await store.put({ ...REFRESH_KEY, data: { secret, createdAt: refresh.data.createdAt } });
    expect(await dump()).toContain(secret);

    // A new process of this version on that store; each clear key is sealed once (one data key).
    const dataKeys: KeyContext[] = [];
    const counting: KeyVault = {
      ...testKeyVault,
      generateDataKey: (context) => {
        dataKeys.push(context);
        return testKeyVault.generateDataKey(context);
      },
    };
    const after = await makeTestApp(store, { clock, keyVault: counting });
    expect((await after.call('/verify', { body: { token: login.token } })).status).toBe(200);
    const rotated = await after.call('/token/refresh', { body: { refreshToken: login.refreshToken } });
    expect(rotated.status).toBe(200);
    expect(decodeProtectedHeader((await rotated.json()).response.token).kid).toBe(kid);
    const raw = await dump();
    expect(raw).not.toContain(secret);
    for (const param of PRIVATE_PARAMS) expect(raw).not.toContain((await privateJwkOf(store, testKeyVault, kid))[param] as string);
    expect((await store.get<SigningKeyRecord>(keyItem))!.data.sealedPrivateJwk).toMatchObject({ v: 1, kek: 'local' });
    expect(dataKeys.filter((context) => JSON.stringify(context) === JSON.stringify(signingKeyContext(kid)))).toHaveLength(1);
  });
});

describe('rotation with a frozen clock: publish, then sign, then retire', () => {
  it('publishes a new key ten minutes before it signs, and drops the old one once its last token has expired', async () => {
    const t: TestApp = await makeTestApp((now) => sqliteStore({ file: ':memory:', now }));
    await t.register('rita');
    const jwksKids = async () => ((await (await t.call('/.well-known/jwks.json')).json()).keys as { kid: string }[]).map((k) => k.kid).sort();
    const signedWith = async () => decodeProtectedHeader((await t.login('rita')).token).kid;
    const oldKid = await signedWith();
    const start = t.clock.now();

    const { signingKeys } = await import('../src/core/signing-keys');
    const keys = signingKeys({ store: t.store, clock: t.clock, vault: testKeyVault });
    const result = await keys.rotate(3600);
    expect(result.activatesAt).toBe(start + 10 * 60_000);
    expect(result.retiring).toEqual([{ kid: oldKid, expiresAt: start + (10 + 5 + 60 + 1) * 60_000 }]);

    // Published at once (the JWKS document is cached one minute).
    t.clock.advance(61_000);
    expect(await jwksKids()).toEqual([oldKid, result.kid].sort());
    const lastOldToken = (await t.login('rita')).token;
    expect(decodeProtectedHeader(lastOldToken).kid).toBe(oldKid);

    // Signing switches once it is active and the instance looks again (within five minutes).
    t.clock.set(start + 9 * 60_000);
    expect(await signedWith()).toBe(oldKid);
    t.clock.set(start + (10 + 5) * 60_000 + 1_000);
    expect(await signedWith()).toBe(result.kid);
    expect(await jwksKids()).toEqual([oldKid, result.kid].sort());

    // An old token is good until its own expiry; the old key leaves once every such token has expired.
    t.clock.set(start + 60 * 60_000);
    expect((await t.call('/verify', { body: { token: lastOldToken } })).status).toBe(200);
    t.clock.set(start + (10 + 5 + 60 + 1) * 60_000 + 61_000);
    expect(await jwksKids()).toEqual([result.kid]);
    expect((await t.call('/verify', { body: { token: lastOldToken } })).status).toBe(401);
  });
});

describe('signing keys sealed by AWS KMS', () => {
  let kms: KmsEndpoint;
  beforeAll(async () => {
    kms = await startKmsEndpoint();
  });
  afterAll(() => kms.close());
  const vaultFor = (keyId: string) =>
    kmsKeyVault({
      client: createKmsClient({ endpoint: kms.url, region: kms.region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local' } }),
      keyId,
    });

  it('asks KMS for data keys with a context naming the item, and /verify needs no KMS at all', async () => {
    const key = kms.createKey('alias/gatehouse');
    const store = sqliteStore({ file: ':memory:' });
    const vault = vaultFor(key.arn);
    const t = await makeTestApp(store, { keyVault: vault });
    await t.register('kim');
    const login = await t.login('kim');
    expect((await t.call('/token/refresh', { body: { refreshToken: login.refreshToken } })).status).toBe(200);
    const kid = decodeProtectedHeader(login.token).kid!;
    expect(kms.calls.filter((c) => c.answer === 'ok').map((c) => [c.target, c.encryptionContext])).toEqual(
      expect.arrayContaining([
        ['GenerateDataKey', { app: 'gatehouse', purpose: 'signing-key', kid }],
        ['GenerateDataKey', { app: 'gatehouse', purpose: 'refresh-hmac' }],
      ]),
    );
    expect(kms.calls.every((c) => c.signed && c.keyId === key.arn)).toBe(true);

    // KMS gone: an instance that has not opened the private key yet cannot sign (503), but
    // verification reads public keys only.
    kms.fail('hang');
    try {
      const cold = await makeTestApp(store, { keyVault: vaultFor(key.arn) });
      const refused = await cold.call('/login', { body: { username: 'kim', password: PASSWORD } });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({
        message: 'Service temporarily unavailable: its key service does not answer, try again',
        code: 'key_service_unavailable',
      });
      expect((await cold.call('/verify', { body: { token: login.token } })).status).toBe(200);
      expect((await cold.call('/user/myprofile', { headers: bearer(login.token) })).status).toBe(200);
    } finally {
      kms.fail(null);
    }
  });

  it('refuses a tampered sealed key, logs it, and never signs with it', async () => {
    const errors: string[] = [];
    const store = sqliteStore({ file: ':memory:' });
    const t = await makeTestApp(store);
    await t.register('tess');
    const kid = decodeProtectedHeader((await t.login('tess')).token).kid!;
    const item = (await store.get<SigningKeyRecord>({ pk: KEYS_PK, sk: `${SIGNING_KEY_PREFIX}${kid}` }))!;
    const sealed = item.data.sealedPrivateJwk!;
    const flipped = `${sealed.ct.slice(0, 10)}${sealed.ct[10] === 'A' ? 'B' : 'A'}${sealed.ct.slice(11)}`;
    await store.put({ pk: item.pk, sk: item.sk, data: { ...item.data, sealedPrivateJwk: { ...sealed, ct: flipped } } });

    const logger = { info() {}, warn() {}, error: (message: string, fields?: Record<string, unknown>) => errors.push(`${message} ${String(fields?.error)}`) };
    const fresh = await makeTestApp(store, { logger });
    const res = await fresh.call('/login', { body: { username: 'tess', password: PASSWORD } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal server error', code: 'internal_error' });
    expect(errors.join('\n')).toMatch(/KeyRefusedError/);
  });

  it('a local key-encryption key other than the one that sealed the keys opens nothing', async () => {
    const store = sqliteStore({ file: ':memory:' });
    const t = await makeTestApp(store);
    await t.register('una');
    await t.login('una');
    const wrong = localKeyVault({ key: crypto.getRandomValues(new Uint8Array(32)) });
    const { signingKeys } = await import('../src/core/signing-keys');
    await expect(signingKeys({ store, clock: t.clock, vault: wrong }).check()).rejects.toMatchObject({ name: 'KeyRefusedError' });
  });
});
