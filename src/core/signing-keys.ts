import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { isConditionFailed, type Store } from '../store/store';
import { fromBase64url } from './base64url';
import type { Clock } from './clock';
import { KEYS_PK, REFRESH_KEY, SIGNING_KEY_PREFIX, type SigningKeyRecord, signingKeyKey } from './records';
import { randomToken } from './token-crypto';

export interface Signer {
  readonly kid: string;
  readonly key: CryptoKey;
}

export interface SigningKeys {
  /** The newest key, generated and stored on first use. */
  signer(): Promise<Signer>;
  /** The public key for a `kid`, or undefined when no such key exists. */
  verifierFor(kid: string): Promise<CryptoKey | undefined>;
  /** Every public key a live token may have been signed with. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** The HMAC key from which each refresh secret is derived from the one before it; made on first use. */
  refreshKey(): Promise<CryptoKey>;
  /**
   * Makes a new key the one that signs, and gives every older key an expiry: it stays in the store
   * and the JWKS until every token it may still sign has expired (instances pick up the new key
   * within `refreshMs`, then their tokens live `tokenTtlSeconds`), and is removed after that.
   */
  rotate(tokenTtlSeconds: number): Promise<{ kid: string; retiring: { kid: string; expiresAt: number }[] }>;
}

export interface SigningKeysOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** How long a process trusts its view of the newest key before looking again. */
  readonly refreshMs?: number;
}

const ALG = 'RS256';
const KID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const MISS_TTL_MS = 30_000;
const MAX_MISSES = 1_000;
/** A public key is looked up again this often, so one removed from the store stops verifying. */
const VERIFIER_RECHECK_MS = 60_000;
const MAX_VERIFIERS = 100;

/** Signing keys kept in the store, so every instance and every restart signs and verifies alike. */
export function signingKeys({ store, clock, refreshMs = 5 * 60_000 }: SigningKeysOptions): SigningKeys {
  let current: { signer: Promise<Signer>; loadedAt: number } | undefined;
  const verifiers = new Map<string, { key: Promise<CryptoKey>; checkedAt: number }>();
  const misses = new Map<string, number>();
  let published: { jwks: Promise<{ keys: JWK[] }>; loadedAt: number } | undefined;
  let hmac: Promise<CryptoKey> | undefined;

  const loadRefreshKey = async (): Promise<CryptoKey> => {
    let secret = (await store.get<{ secret: string }>(REFRESH_KEY))?.data.secret;
    if (!secret) {
      try {
        secret = randomToken(32);
        await store.create({ ...REFRESH_KEY, data: { secret, createdAt: new Date(clock.now()).toISOString() } });
      } catch (error) {
        // Another instance made it first: use theirs.
        if (!isConditionFailed(error)) throw error;
        secret = (await store.get<{ secret: string }>(REFRESH_KEY))!.data.secret;
      }
    }
    const bytes = Uint8Array.from(fromBase64url(secret), (ch) => ch.charCodeAt(0));
    return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  };

  const newest = async (): Promise<SigningKeyRecord | undefined> =>
    (await store.list<SigningKeyRecord>(KEYS_PK, { prefix: SIGNING_KEY_PREFIX, reverse: true, limit: 1 }))[0]?.data;

  const generate = async (): Promise<SigningKeyRecord> => {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
    // Sortable by creation time, so the newest key is the last one listed.
    const kid = `${clock.now().toString(36).padStart(9, '0')}${randomToken(6)}`;
    const record: SigningKeyRecord = {
      kid,
      alg: ALG,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
      createdAt: new Date(clock.now()).toISOString(),
    };
    await store.create({ ...signingKeyKey(kid), data: record });
    return record;
  };

  const loadSigner = async (): Promise<Signer> => {
    const record = (await newest()) ?? (await generate());
    const key = (await importJWK(record.privateJwk as JWK, ALG)) as CryptoKey;
    return { kid: record.kid, key };
  };

  const publicKeyOf = async (record: SigningKeyRecord): Promise<CryptoKey> => (await importJWK(record.publicJwk as JWK, ALG)) as CryptoKey;

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

    async verifierFor(kid) {
      if (!KID_PATTERN.test(kid)) return undefined;
      const time = clock.now();
      const cached = verifiers.get(kid);
      if (cached && time - cached.checkedAt < VERIFIER_RECHECK_MS) return cached.key;
      const missedAt = misses.get(kid);
      if (!cached && missedAt !== undefined && time - missedAt < MISS_TTL_MS) return undefined;
      const item = await store.get<SigningKeyRecord>(signingKeyKey(kid));
      if (!item) {
        verifiers.delete(kid);
        if (misses.size >= MAX_MISSES) misses.clear();
        misses.set(kid, time);
        return undefined;
      }
      if (cached) {
        cached.checkedAt = time;
        return cached.key;
      }
      const key = publicKeyOf(item.data);
      if (verifiers.size >= MAX_VERIFIERS) verifiers.delete(verifiers.keys().next().value!);
      const entry = { key, checkedAt: time };
      verifiers.set(kid, entry);
      // A key that failed to load is not kept: the next token tries again.
      key.catch(() => {
        if (verifiers.get(kid) === entry) verifiers.delete(kid);
      });
      return key;
    },

    async rotate(tokenTtlSeconds) {
      const fresh = await generate();
      const retireAt = clock.now() + refreshMs + tokenTtlSeconds * 1000 + 60_000;
      const older = (await store.list<SigningKeyRecord>(KEYS_PK, { prefix: SIGNING_KEY_PREFIX })).filter(
        (item) => item.data.kid !== fresh.kid && (item.expiresAt === undefined || item.expiresAt > retireAt),
      );
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
      return { kid: fresh.kid, retiring };
    },

    refreshKey() {
      if (!hmac) {
        hmac = loadRefreshKey();
        hmac.catch(() => (hmac = undefined));
      }
      return hmac;
    },

    jwks() {
      const time = clock.now();
      if (!published || time - published.loadedAt > 60_000) {
        const jwks = store
          .list<SigningKeyRecord>(KEYS_PK, { prefix: SIGNING_KEY_PREFIX, reverse: true })
          .then((items) => ({ keys: items.map((item) => item.data.publicJwk as JWK) }));
        published = { jwks, loadedAt: time };
        jwks.catch(() => {
          if (published?.jwks === jwks) published = undefined;
        });
      }
      return published.jwks;
    },
  };
}
