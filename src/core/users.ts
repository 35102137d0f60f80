import type { Item, Store, WriteOp } from '../store/store';
import { AuthError } from './errors';
import { emailKey, type UserRecord, userKey } from './records';

/**
 * Writes a new user and, when it has one, its email claim, in one transaction: both or neither
 * (with `alongside`, the records that go with an address, such as its confirmation link).
 * ConditionFailedError when the name or the email is taken.
 */
export async function insertUser(store: Store, user: UserRecord, alongside: readonly WriteOp[] = []): Promise<void> {
  if (!user.email) {
    await store.create({ ...userKey(user.username), data: user });
    return;
  }
  await store.transact([
    { type: 'create', item: { ...userKey(user.username), data: user } },
    { type: 'create', item: { ...emailKey(user.email), data: { username: user.username } } },
    ...alongside,
  ]);
}

/**
 * The stored user behind a signed-in caller, with its version; not_authenticated when the account
 * is gone (removed while its token was still being checked).
 */
export async function signedInUser<T extends UserRecord = UserRecord>(store: Store, username: string): Promise<Item<T>> {
  const item = await store.get<T>(userKey(username));
  if (!item) throw new AuthError('not_authenticated');
  return item;
}

/** The stored user of a name, or undefined when there is none. */
export async function findUser(store: Store, username: string): Promise<UserRecord | undefined> {
  return (await store.get<UserRecord>(userKey(username)))?.data;
}
