import { type Item, isConditionFailed } from '../store/store';
import type { AuthMethod } from './access-token';
import { AuthError } from './errors';
import { canonicalUsername } from './identity';
import { draftLoginSession, type LoginSessionDeps, type OpenedSession, openLoginSession } from './login-session';
import { challengeOf, issueChallenge, spendChallenge } from './passkey-challenges';
import type { PasskeyDeps } from './passkey-registration';
import { credentialHash, listPasskeys } from './passkey-store';
import { type PasskeyOwnerRecord, type PasskeyRecord, passkeyKey, passkeyOwnerKey, type UserRecord, userKey } from './records';
import { findUser } from './users';
import { CHALLENGE_TTL_MS, type Json, relyingParty } from './webauthn';

export const PASSKEY_LOGIN: readonly AuthMethod[] = ['webauthn'];

export type PasskeyLoginDeps = PasskeyDeps & LoginSessionDeps;

/**
 * Request options for a login. With a username, its passkeys are allowed (none when the name is
 * unknown or has none, which the browser treats like a login without a name) and the challenge
 * is bound to that name; without one, any discoverable credential may answer.
 */
export async function loginOptions(deps: PasskeyDeps, rawUsername?: string): Promise<Json> {
  const { store, clock, webauthn, passkeys } = deps;
  // A name that breaks the rules is no account's: its challenge can be answered by no credential.
  const username = rawUsername?.trim().toLowerCase();
  const account = username && canonicalUsername(username) ? await findUser(store, username) : undefined;
  const allow = account ? (await listPasskeys(store, account)).map(({ id, transports }) => ({ id, transports })) : [];
  const challenge = await issueChallenge(store, clock, { purpose: 'login', ...(username ? { username } : {}) });
  return webauthn.requestOptions({
    rp: relyingParty(passkeys),
    challenge,
    allow,
    timeoutMs: CHALLENGE_TTL_MS,
  });
}

const credentialIdOf = (response: unknown): string | undefined => {
  const id = (response as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 2048 ? id : undefined;
};
const userHandleOf = (response: unknown): unknown => (response as { response?: { userHandle?: unknown } } | null)?.response?.userHandle;

/**
 * Logs in with an assertion: the challenge it answers is spent first; the credential is found by
 * its id and must belong to the account it names (and to the username the options were asked
 * for, if any); the signature, origin, RP ID and user verification are checked; the signature
 * counter must go up whenever either side of the comparison is non-zero. Every refusal is the same
 * `invalid_passkey`, its reason logged; a counter that went backwards is logged as a warning, as
 * it may mean the credential was copied. No second factor follows: a user-verified passkey is
 * already two.
 */
export async function passkeyLogin(
  deps: PasskeyLoginDeps,
  response: unknown,
  caller: { userAgent?: string | undefined },
): Promise<{ user: UserRecord; opened: OpenedSession }> {
  const { store, webauthn, logger, passkeys } = deps;
  const failure = new AuthError('invalid_passkey');
  const refuse = (reason: string, fields: Record<string, unknown> = {}) => {
    logger.info('passkey login refused', { reason, ...fields });
    return failure;
  };
  const challenge = challengeOf(response);
  const credentialId = credentialIdOf(response);
  if (!challenge || !credentialId) throw refuse('not an assertion');
  const issued = await spendChallenge(store, challenge, (r) => r.purpose === 'login');
  if (!issued) throw refuse('challenge unknown, expired or spent');

  const hash = await credentialHash(credentialId);
  const owner = await store.get<PasskeyOwnerRecord>(passkeyOwnerKey(hash));
  if (!owner) throw refuse('unknown credential', { credential: hash });
  const username = owner.data.username;
  if (issued.username !== undefined && issued.username !== username) throw refuse('credential of another user than the one named', { credential: hash });
  const [record, account] = await Promise.all([store.get<PasskeyRecord>(passkeyKey(username, hash)), store.get<UserRecord>(userKey(username))]);
  if (!record || !account || record.data.id !== credentialId) throw refuse('no such credential for its owner', { credential: hash });
  // A name removed and taken again is another account: the old one's credentials open nothing.
  if (record.data.userCreatedAt !== account.data.createdAt || owner.data.userCreatedAt !== account.data.createdAt) {
    throw refuse('credential of an earlier account of this name', { credential: hash });
  }
  const handle = userHandleOf(response);
  if (handle !== undefined && handle !== null && handle !== record.data.userHandle) throw refuse('user handle of another account', { credential: hash });

  const check = await webauthn.verifyAssertion({
    response,
    challenge,
    rp: relyingParty(passkeys),
    credential: { id: record.data.id, publicKey: record.data.publicKey },
  });
  if (!check.ok) throw refuse(check.reason, { credential: hash });
  await recordUse(deps, record, check.counter, check.backedUp, failure);

  const opened = await openLoginSession(deps, account.data, caller, await draftLoginSession(deps, username, PASSKEY_LOGIN), failure);
  return { user: account.data, opened };
}

/**
 * Stores the counter an assertion reported and when it was used, over the version read. A counter
 * that does not exceed the stored one (when either is non-zero) is refused: an authenticator
 * counts up on every signature, so an older or equal count means another copy of the key signed.
 */
async function recordUse(deps: PasskeyLoginDeps, first: Item<PasskeyRecord>, counter: number, backedUp: boolean, failure: AuthError): Promise<void> {
  const { store, clock, logger } = deps;
  let record: Item<PasskeyRecord> | undefined = first;
  for (let attempt = 0; attempt < 5 && record; attempt++) {
    const stored = record.data.counter;
    if ((counter > 0 || stored > 0) && counter <= stored) {
      // The credential's key names its owner (PASSKEY#<credential>/OWNER); usernames are not logged.
      logger.warn('passkey signature counter did not increase: the credential may have been cloned', {
        credential: record.sk.slice('PASSKEY#'.length),
        stored,
        presented: counter,
      });
      throw failure;
    }
    try {
      await store.update(record, { set: { counter, backedUp, lastUsedAt: new Date(clock.now()).toISOString() } }, { ifVersion: record.version });
      return;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      record = await store.get<PasskeyRecord>(record);
    }
  }
  throw failure;
}
