import { type Item, isConditionFailed, type Store } from '../store/store';
import {
  PASSKEY_PREFIX,
  type PasskeyOwnerRecord,
  type PasskeyRecord,
  type PasskeySetRecord,
  passkeyOwnerKey,
  passkeySetKey,
  type UserRecord,
  userKey,
} from './records';
import { randomToken, sha256 } from './token-crypto';

/** Where a credential's records are found: the SHA-256 of its id (see records.ts). */
export const credentialHash = (credentialId: string): Promise<string> => sha256(credentialId);

/**
 * The account's passkeys. Records left by an earlier account of the same name (a removal that was
 * interrupted) are not this account's and are not shown.
 */
export async function listPasskeys(store: Store, user: UserRecord): Promise<PasskeyRecord[]> {
  const items = await store.list<PasskeyRecord>(userKey(user.username).pk, { prefix: PASSKEY_PREFIX });
  return items.map((item) => item.data).filter((record) => record.userCreatedAt === user.createdAt);
}

/**
 * The account's passkey set (its user handle and count), made on first use. One left by an
 * earlier account of the same name is replaced, over the version read.
 */
export async function passkeySet(store: Store, user: UserRecord): Promise<Item<PasskeySetRecord>> {
  const key = passkeySetKey(user.username);
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await store.get<PasskeySetRecord>(key);
    if (found && found.data.userCreatedAt === user.createdAt) return found;
    const fresh: PasskeySetRecord = { userHandle: randomToken(32), count: 0, userCreatedAt: user.createdAt };
    try {
      if (!found) return await store.create({ ...key, data: fresh });
      return await store.update<PasskeySetRecord>(key, { set: fresh }, { ifVersion: found.version });
    } catch (error) {
      // Another request made it first: read theirs.
      if (!isConditionFailed(error)) throw error;
    }
  }
  throw new Error(`the passkey set of ${user.username} kept changing`);
}

/**
 * Removes every passkey under the user, their lookups and the set; used when the account is
 * removed. Safe to run again: each step removes only what is still there, and a lookup only
 * while it still names this user.
 */
export async function removePasskeys(store: Store, username: string): Promise<number> {
  const items = await store.list<PasskeyRecord>(userKey(username).pk, { prefix: PASSKEY_PREFIX });
  let removed = 0;
  for (const item of items) {
    const ownerKey = passkeyOwnerKey(item.sk.slice(PASSKEY_PREFIX.length));
    const owner = await store.get<PasskeyOwnerRecord>(ownerKey);
    if (owner?.data.username === username) {
      try {
        await store.delete(ownerKey, { ifVersion: owner.version });
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    }
    if (await store.delete(item)) removed++;
  }
  await store.delete(passkeySetKey(username));
  return removed;
}
