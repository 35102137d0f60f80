import { isConditionFailed, type Store, type WriteOp } from '../store/store';
import { removePasskeys } from './passkey-store';
import {
  EMAIL_TOKEN_PREFIX,
  type EmailRecord,
  emailKey,
  MESSAGE_INDEX_MARKER,
  MESSAGES_PK,
  type MessageRecord,
  USER_MESSAGE_PREFIX,
  type UserRecord,
  userKey,
  userMessageKey,
} from './records';
import { endSessionsAround } from './sessions';

export interface Removal {
  readonly user: boolean;
  readonly sessions: number;
  readonly messages: number;
  readonly passkeys: number;
}

/**
 * Removes a user and everything that belongs to them: the user and its email claim (both or
 * neither), with every session ended before and after (endSessionsAround), so their tokens stop
 * and a login that checked the password meanwhile ends its own; then their messages and passkeys
 * (with the lookups that name them, so none can log in again). Safe to run again after an
 * interruption: each step removes only what is still there. A passkey left behind by an
 * interruption opens nothing: it names the removed account's creation time, not a new one's.
 */
export async function removeUser(store: Store, username: string): Promise<Removal> {
  const { result: removed, ended: sessions } = await endSessionsAround(store, username, () => removeAccount(store, username));
  // Its live email links (they hold an address, and would stand in the way of a new account of the same name).
  const links = await store.list(userKey(username).pk, { prefix: EMAIL_TOKEN_PREFIX });
  await Promise.all(links.map((link) => store.delete(link)));
  const messages = await removeMessages(store, username);
  const passkeys = await removePasskeys(store, username);
  return { user: removed, sessions, messages, passkeys };
}

async function removeAccount(store: Store, username: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const user = await store.get<UserRecord>(userKey(username));
    if (!user) return false;
    const ops: WriteOp[] = [{ type: 'delete', key: userKey(username), ifVersion: user.version }];
    const claim = user.data.email ? await store.get<EmailRecord>(emailKey(user.data.email)) : undefined;
    // Only a claim that is still this user's: an address moves to its new owner with its claim.
    if (claim?.data.username === username) ops.push({ type: 'delete', key: claim, ifVersion: claim.version });
    try {
      await store.transact(ops);
      return true;
    } catch (error) {
      // Changed meanwhile (a login re-hashed the password): read it again.
      if (!isConditionFailed(error)) throw error;
    }
  }
  throw new Error(`user ${username} kept changing while it was being removed`);
}

/** Reads only this user's own messages, through the pointers kept beside the user. */
async function removeMessages(store: Store, username: string): Promise<number> {
  await indexOlderMessages(store);
  const pointers = await store.list<{ sk: string }>(userKey(username).pk, { prefix: USER_MESSAGE_PREFIX });
  let removed = 0;
  for (const pointer of pointers) {
    if (await store.delete({ pk: MESSAGES_PK, sk: pointer.data.sk })) removed++;
    await store.delete(pointer);
  }
  return removed;
}

/**
 * Messages posted before each had a pointer under its author get one, once per store: this reads
 * the board through the one time, and marks it done.
 */
async function indexOlderMessages(store: Store): Promise<void> {
  if (await store.get(MESSAGE_INDEX_MARKER)) return;
  for (const item of await store.list<MessageRecord>(MESSAGES_PK)) {
    await store.put({ ...userMessageKey(item.data.author, item.sk), data: { sk: item.sk } });
  }
  await store.put({ ...MESSAGE_INDEX_MARKER, data: { done: true } });
}
