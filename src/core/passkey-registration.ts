import { isConditionFailed, type Store, type WriteOp } from '../store/store';
import type { Clock } from './clock';
import { AuthError } from './errors';
import { canonicalName } from './identity';
import type { Logger } from './logger';
import { challengeOf, issueChallenge, spendChallenge } from './passkey-challenges';
import { credentialHash, listPasskeys, passkeySet } from './passkey-store';
import { type PasskeyOwnerRecord, type PasskeyRecord, type PasskeySetRecord, passkeyKey, passkeyOwnerKey, passkeySetKey, type UserRecord } from './records';
import { findSession } from './sessions';
import type { Authenticated } from './token-verifier';
import { signedInUser } from './users';
import { CHALLENGE_TTL_MS, type Json, type PasskeySettings, relyingParty, type WebAuthn } from './webauthn';

export interface PasskeyDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly webauthn: WebAuthn;
  readonly logger: Logger;
  readonly passkeys: PasskeySettings;
}

/** A passkey as its owner sees it: never its key. */
export interface PasskeyView {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt?: string;
  /** Whether the authenticator says it is synced to other devices (a multi-device passkey). */
  readonly synced: boolean;
}

export const PASSKEY_NAME_MAX = 64;
export const PASSKEY_NAME_RULE = `name must be 1–${PASSKEY_NAME_MAX} printable characters`;

export const passkeyView = (record: PasskeyRecord): PasskeyView => ({
  id: record.id,
  name: record.name,
  createdAt: record.createdAt,
  ...(record.lastUsedAt ? { lastUsedAt: record.lastUsedAt } : {}),
  synced: record.backedUp,
});

function passkeyName(raw: string | undefined): string {
  if (raw === undefined) return 'Passkey';
  const name = canonicalName(raw, PASSKEY_NAME_MAX);
  if (name === undefined) throw new AuthError('invalid_field', PASSKEY_NAME_RULE, 'name');
  return name;
}

const currentAccount = async (store: Store, user: Authenticated): Promise<UserRecord> => (await signedInUser(store, user.username)).data;

/**
 * How recent the login of a session that adds a passkey must be. A passkey is a way in that skips
 * the password and any second factor, so, like a password or address change (which ask for the
 * current password), it is not given to a session that is merely still valid: a token or cookie
 * taken from an old session cannot make itself a lasting way in.
 */
export const PASSKEY_FRESH_LOGIN_MS = 10 * 60_000;

/** Creation options for the caller's next passkey, with a challenge only this session can answer. */
export async function registrationOptions(deps: PasskeyDeps, user: Authenticated): Promise<Json> {
  const { store, clock, webauthn, passkeys } = deps;
  const [account, session] = await Promise.all([currentAccount(store, user), findSession(store, user.username, user.sid)]);
  if (!session) throw new AuthError('not_authenticated');
  if (clock.now() - Date.parse(session.createdAt) > PASSKEY_FRESH_LOGIN_MS) throw new AuthError('login_too_old');
  const [set, existing] = await Promise.all([passkeySet(store, account), listPasskeys(store, account)]);
  if (existing.length >= passkeys.maxPerUser) throw new AuthError('passkey_limit');
  const challenge = await issueChallenge(store, clock, { purpose: 'register', username: user.username, sid: user.sid });
  return webauthn.creationOptions({
    rp: relyingParty(passkeys),
    userHandle: set.data.userHandle,
    username: account.username,
    displayName: account.name,
    challenge,
    exclude: existing.map(({ id, transports }) => ({ id, transports })),
    timeoutMs: CHALLENGE_TTL_MS,
  });
}

/**
 * Checks the authenticator's answer to a challenge this session was given and keeps the new
 * credential: its record, the lookup by credential id and the count, all in one transaction. A
 * refusal of the response itself (wrong origin or RP ID, a challenge unknown, expired or already
 * spent, no user verification) is `passkey_not_verified`, and nothing is stored.
 */
export async function registerPasskey(deps: PasskeyDeps, user: Authenticated, response: unknown, rawName?: string): Promise<PasskeyView> {
  const { store, clock, webauthn, logger, passkeys } = deps;
  const name = passkeyName(rawName);
  const refuse = (reason: string) => {
    logger.info('passkey registration refused', { reason });
    return new AuthError('passkey_not_verified');
  };
  const challenge = challengeOf(response);
  if (!challenge) throw refuse('no challenge in the response');
  const issued = await spendChallenge(store, challenge, (r) => r.purpose === 'register' && r.username === user.username && r.sid === user.sid);
  if (!issued) throw refuse('challenge unknown, expired, spent, or issued to another session');
  const check = await webauthn.verifyRegistration({ response, challenge, rp: relyingParty(passkeys) });
  if (!check.ok) throw refuse(check.reason);

  const account = await currentAccount(store, user);
  const { credential } = check;
  const hash = await credentialHash(credential.id);
  const now = new Date(clock.now()).toISOString();
  for (let attempt = 0; attempt < 5; attempt++) {
    const set = await store.get<PasskeySetRecord>(passkeySetKey(user.username));
    if (!set || set.data.userCreatedAt !== account.createdAt) throw refuse('the account changed during the ceremony');
    if (set.data.count >= passkeys.maxPerUser) throw new AuthError('passkey_limit');
    const record: PasskeyRecord = {
      id: credential.id,
      name,
      publicKey: credential.publicKey,
      counter: credential.counter,
      ...(credential.transports?.length ? { transports: [...credential.transports] } : {}),
      deviceType: credential.deviceType,
      backedUp: credential.backedUp,
      aaguid: credential.aaguid,
      userHandle: set.data.userHandle,
      userCreatedAt: account.createdAt,
      createdAt: now,
    };
    const owner: PasskeyOwnerRecord = { username: user.username, userCreatedAt: account.createdAt };
    const ops: WriteOp[] = [
      { type: 'create', item: { ...passkeyOwnerKey(hash), data: owner } },
      { type: 'create', item: { ...passkeyKey(user.username, hash), data: record } },
      { type: 'update', key: passkeySetKey(user.username), changes: { set: { count: set.data.count + 1 } }, ifVersion: set.version },
    ];
    try {
      await store.transact(ops);
      return passkeyView(record);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // Registered already (to this account or another), or the set changed meanwhile: try again.
      if (await store.get(passkeyOwnerKey(hash))) throw new AuthError('passkey_exists');
    }
  }
  throw new AuthError('conflict');
}

export async function listPasskeyViews(store: Store, user: Authenticated): Promise<PasskeyView[]> {
  const account = await currentAccount(store, user);
  return (await listPasskeys(store, account)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).map(passkeyView);
}

/** Removes one of the caller's passkeys, its lookup and its place in the count; false when there is no such passkey. */
export async function removePasskey(store: Store, user: Authenticated, credentialId: string): Promise<boolean> {
  if (credentialId.length > 2048) return false;
  const hash = await credentialHash(credentialId);
  const key = passkeyKey(user.username, hash);
  for (let attempt = 0; attempt < 5; attempt++) {
    const [record, set] = await Promise.all([store.get<PasskeyRecord>(key), store.get<PasskeySetRecord>(passkeySetKey(user.username))]);
    if (!record || record.data.id !== credentialId) return false;
    const ops: WriteOp[] = [
      { type: 'delete', key, ifVersion: record.version },
      { type: 'delete', key: passkeyOwnerKey(hash) },
    ];
    if (set) ops.push({ type: 'update', key: set, changes: { set: { count: Math.max(0, set.data.count - 1) } }, ifVersion: set.version });
    try {
      await store.transact(ops);
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
  throw new AuthError('conflict');
}
