import type { CryptoKey } from 'jose';
import { isConditionFailed, type Store } from '../store/store';
import { bytesFromBase64url } from './base64url';
import type { Clock } from './clock';
import type { KeyVault } from './key-vault';
import { REFRESH_KEY } from './records';
import { isSealedSecret, openSecret, type SealedSecret, sealSecret } from './sealed-secret';
import { refreshKeyContext } from './secret-contexts';

/** The refresh HMAC key's item: sealed; `secret` only in a store written before keys were sealed. */
interface RefreshKeyRecord extends Record<string, unknown> {
  sealed?: SealedSecret;
  secret?: string;
  createdAt: string;
}

const SECRET_BYTES = 32;

const hmacKey = (bytes: Uint8Array) => crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

/**
 * The HMAC key from which each refresh secret is derived from the one before it: made on first
 * use, kept sealed under the key-encryption key, and sealed in place when found in the clear (a
 * store from before), keeping its value so issued refresh tokens still rotate.
 */
export async function loadRefreshKey(store: Store, clock: Clock, vault: KeyVault): Promise<CryptoKey> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const item = await store.get<RefreshKeyRecord>(REFRESH_KEY);
    if (item?.data.sealed && isSealedSecret(item.data.sealed)) return hmacKey(await openSecret(vault, item.data.sealed, refreshKeyContext()));
    const bytes = item?.data.secret ? bytesFromBase64url(item.data.secret) : crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
    const sealed = await sealSecret(vault, refreshKeyContext(), bytes);
    try {
      if (item) await store.update(item, { set: { sealed }, remove: ['secret'] }, { ifVersion: item.version });
      else await store.create({ ...REFRESH_KEY, data: { sealed, createdAt: new Date(clock.now()).toISOString() } });
      return hmacKey(bytes);
    } catch (error) {
      // Another instance made or sealed it first: use theirs.
      if (!isConditionFailed(error)) throw error;
    }
  }
  throw new Error('the refresh key kept changing while it was being loaded');
}
