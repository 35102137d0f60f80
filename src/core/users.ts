import type { Store } from '../store/store';
import { emailKey, type UserRecord, userKey } from './records';

/**
 * Writes a new user and, when it has one, its email claim, in one transaction: both or neither.
 * ConditionFailedError when the name or the email is taken.
 */
export async function insertUser(store: Store, user: UserRecord): Promise<void> {
  if (!user.email) {
    await store.create({ ...userKey(user.username), data: user });
    return;
  }
  await store.transact([
    { type: 'create', item: { ...userKey(user.username), data: user } },
    { type: 'create', item: { ...emailKey(user.email), data: { username: user.username } } },
  ]);
}

/** The stored user of a name, or undefined when there is none. */
export async function findUser(store: Store, username: string): Promise<UserRecord | undefined> {
  return (await store.get<UserRecord>(userKey(username)))?.data;
}
