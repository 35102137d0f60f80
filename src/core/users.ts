import type { Store } from '../store/store';
import { emailKey, userKey, type UserRecord } from './records';

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
