import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { type Item, isConditionFailed, type Store } from '../store/store';
import type { Clock } from './clock';
import type { KeyVault } from './key-vault';
import { KEYS_PK, SIGNING_KEY_PREFIX, type SigningKeyRecord, signingKeyKey } from './records';
import { loadRefreshKey } from './refresh-key';
import { isSealedSecret, openSecretText, sealSecret } from './sealed-secret';
import { signingKeyContext } from './secret-contexts';
import { randomToken } from './token-crypto';
import { verifierCache } from './verifier-cache';

export interface Signer {
  readonly kid: string;
  readonly key: CryptoKey;
}

export interface Rotation {
  readonly kid: string;
  /** When the new key starts signing (epoch ms); it is in the JWKS from now on. */
  readonly activatesAt: number;
  readonly retiring: { kid: string; expiresAt: number }[];
}

export interface SigningKeys {
  /** The newest key that is active, generated and stored on first use. */
  signer(): Promise<Signer>;
  /** The public key for a `kid`, or undefined when no such key exists. */
  verifierFor(kid: string): Promise<CryptoKey | undefined>;
  /** Every public key a live token may have been, or soon will be, signed with. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** The HMAC key from which each refresh secret is derived from the one before it; made on first use. */
  refreshKey(): Promise<CryptoKey>;
  /**
   * Publishes a new key that signs only after `publishAheadMs`, so every JWKS cache holds it first,
   * and gives every older key an expiry: it stays in the store and the JWKS until every token it
   * may still sign has expired (until the new key activates, plus `refreshMs` for instances to
   * switch, plus one token lifetime and a minute), and is removed after that.
   */
  rotate(tokenTtlSeconds: number): Promise<Rotation>;
  /** Opens the newest private key and the refresh key: a wrong key-encryption key fails here. */
  check(): Promise<void>;
}

export interface SigningKeysOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Seals private keys; without one (the authorizer) only public keys can be read. */
  readonly vault?: KeyVault;
  /** How long a process trusts its view of the active key before looking again. */
  readonly refreshMs?: number;
  /** How long a new key is published before it signs. */
  readonly publishAheadMs?: number;
}

const ALG = 'RS256';
const JWKS_CACHE_MS = 60_000;
export const PUBLISH_AHEAD_MS = 10 * 60_000;

const isActive = (record: SigningKeyRecord, at: number) => record.activatesAt === undefined || record.activatesAt <= at;

/** Signing keys kept in the store, so every instance and every restart signs and verifies alike. */
export function signingKeys({ store, clock, vault, refreshMs = 5 * 60_000, publishAheadMs = PUBLISH_AHEAD_MS }: SigningKeysOptions): SigningKeys {
  let current: { signer: Promise<Signer>; loadedAt: number } | undefined;
  let published: { jwks: Promise<{ keys: JWK[] }>; loadedAt: number } | undefined;
  let hmac: Promise<CryptoKey> | undefined;
  const verifiers = verifierCache(store, clock);

  const needVault = (): KeyVault => {
    if (!vault) throw new Error('private keys need a key vault');
    return vault;
  };

  const all = () => store.list<SigningKeyRecord>(KEYS_PK, { prefix: SIGNING_KEY_PREFIX });

  const generate = async (activatesAt?: number): Promise<{ record: SigningKeyRecord; privateJwk: JWK }> => {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
    // Sortable by creation time, so the newest key is the last one listed.
    const kid = `${clock.now().toString(36).padStart(9, '0')}${randomToken(6)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
    const record: SigningKeyRecord = {
      kid,
      alg: ALG,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
      sealedPrivateJwk: await sealSecret(needVault(), signingKeyContext(kid), JSON.stringify(privateJwk)),
      createdAt: new Date(clock.now()).toISOString(),
      ...(activatesAt !== undefined ? { activatesAt } : {}),
    };
    await store.create({ ...signingKeyKey(kid), data: record });
    return { record, privateJwk };
  };

  /** The private JWK of a key: unsealed, or as found in the clear in a store from before (which `loadSigner` seals). */
  const privateJwkOf = async (item: Item<SigningKeyRecord>): Promise<JWK> => {
    const { sealedPrivateJwk, privateJwk, kid } = item.data;
    if (sealedPrivateJwk && isSealedSecret(sealedPrivateJwk))
      return JSON.parse(await openSecretText(needVault(), sealedPrivateJwk, signingKeyContext(kid))) as JWK;
    if (!privateJwk) throw new Error(`signing key ${kid} has no private key`);
    return privateJwk as JWK;
  };

  const sealInPlace = async (item: Item<SigningKeyRecord>): Promise<void> => {
    if (!item.data.privateJwk) return;
    const sealed = await sealSecret(needVault(), signingKeyContext(item.data.kid), JSON.stringify(item.data.privateJwk));
    try {
      await store.update(item, { set: { sealedPrivateJwk: sealed }, remove: ['privateJwk'] }, { ifVersion: item.version });
    } catch (error) {
      // Sealed (or retired) meanwhile by another instance.
      if (!isConditionFailed(error)) throw error;
    }
  };

  const loadSigner = async (): Promise<Signer> => {
    const at = clock.now();
    const items = await all();
    // Keys of a store from before are sealed on the first look, not only the one that signs.
    await Promise.all(items.filter((item) => item.data.privateJwk).map(sealInPlace));
    // The active key that became active last (a key made at start is active from its creation).
    const since = (record: SigningKeyRecord) => record.activatesAt ?? Date.parse(record.createdAt);
    const active = items
      .filter((item) => isActive(item.data, at))
      .sort((a, b) => since(a.data) - since(b.data))
      .at(-1);
    if (!active) {
      // The first key of a store: no token or cache can know any key yet, so it signs at once.
      const { record, privateJwk } = await generate();
      return { kid: record.kid, key: (await importJWK(privateJwk, ALG)) as CryptoKey };
    }
    return { kid: active.data.kid, key: (await importJWK(await privateJwkOf(active), ALG)) as CryptoKey };
  };

  return {
    signer() {
      const time = clock.now();
      if (!current || time - current.loadedAt > refreshMs) {
        const signer = loadSigner();
        current = { signer, loadedAt: time };
        // A failed load must not stick: the next request tries again.
        signer.catch(() => {
          if (current?.signer === signer) current = undefined;
        });
      }
      return current.signer;
    },

    verifierFor: (kid) => verifiers.get(kid),

    async rotate(tokenTtlSeconds) {
      const activatesAt = clock.now() + publishAheadMs;
      const { record: fresh } = await generate(activatesAt);
      const retireAt = activatesAt + refreshMs + tokenTtlSeconds * 1000 + 60_000;
      const older = (await all()).filter((item) => item.data.kid !== fresh.kid && (item.expiresAt === undefined || item.expiresAt > retireAt));
      const retiring = [];
      for (const item of older) {
        try {
          await store.update(item, { expiresAt: retireAt }, { ifVersion: item.version });
          retiring.push({ kid: item.data.kid, expiresAt: retireAt });
        } catch (error) {
          // Changed meanwhile (another rotation): that one sets its own, earlier or equal, expiry.
          if (!isConditionFailed(error)) throw error;
        }
      }
      current = undefined;
      published = undefined;
      return { kid: fresh.kid, activatesAt, retiring };
    },

    refreshKey() {
      if (!hmac) {
        hmac = loadRefreshKey(store, clock, needVault());
        hmac.catch(() => {
          hmac = undefined;
        });
      }
      return hmac;
    },

    async check() {
      await Promise.all([this.signer(), this.refreshKey()]);
    },

    jwks() {
      const time = clock.now();
      if (!published || time - published.loadedAt > JWKS_CACHE_MS) {
        const jwks = all().then((items) => ({ keys: items.reverse().map((item) => item.data.publicJwk as JWK) }));
        published = { jwks, loadedAt: time };
        jwks.catch(() => {
          if (published?.jwks === jwks) published = undefined;
        });
      }
      return published.jwks;
    },
  };
}
