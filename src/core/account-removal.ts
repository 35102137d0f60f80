import type { Store } from '../store/store';
import { MESSAGES_PK, emailKey, userKey, type MessageRecord, type UserRecord } from './records';
import { endSessions } from './sessions';

export interface Removal {
  readonly user: boolean;
  readonly sessions: number;
  readonly messages: number;
}

/**
 * Removes a user and everything that belongs to them: sessions first (so their tokens stop at
 * once), then the email claim, the user, and their messages. Safe to run again after an
 * interruption: each step removes only what is still there.
 */
export async function removeUser(store: Store, username: string): Promise<Removal> {
  const sessions = await endSessions(store, username);
  const user = await store.get<UserRecord>(userKey(username));
  if (user?.data.email) await store.delete(emailKey(user.data.email));
  const removed = user ? await store.delete(userKey(username)) : false;
  const own = (await store.list<MessageRecord>(MESSAGES_PK)).filter((item) => item.data.author === username);
  for (const item of own) await store.delete(item);
  return { user: removed, sessions, messages: own.length };
}
