import type { Item, Store } from '../store/store';
import { type AuthMethod, issueAccessToken, type TokenSettings } from './access-token';
import type { Clock } from './clock';
import type { AuthError } from './errors';
import { sameCredentials, type UserRecord, userKey } from './records';
import { createSession, endSession, type NewSession, newRefreshSecret, newSessionId, type RefreshSecret } from './sessions';
import type { SigningKeys } from './signing-keys';

export interface LoginSessionDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly settings: TokenSettings & { readonly sessionTtl: number };
}

/**
 * Everything a new session needs that does not depend on whether the login succeeds: its id, its
 * refresh secret and the signed access token. Nothing of it is stored or sent until the login has
 * been decided; a failed login drops it.
 */
export interface SessionDraft {
  readonly username: string;
  readonly sid: string;
  readonly amr: readonly AuthMethod[];
  readonly refresh: RefreshSecret;
  readonly access: { readonly token: string; readonly expiresIn: number };
}

export interface OpenedSession {
  readonly token: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly sid: string;
  /** The user as stored after the session was written. */
  readonly current: Item<UserRecord>;
}

export async function draftLoginSession(deps: LoginSessionDeps, username: string, amr: readonly AuthMethod[]): Promise<SessionDraft> {
  const sid = newSessionId();
  const [refresh, access] = await Promise.all([newRefreshSecret(), issueAccessToken(deps.keys, deps.clock, deps.settings, { username, sid, amr })]);
  return { username, sid, amr, refresh, access };
}

/**
 * Ends a session whose login failed on the store after it may have been written: its tokens were
 * never sent, but it would stay in the user's list of sessions until it expired. Not waited for:
 * the store that just failed may take its whole timeout to fail again, and the answer (503) is not
 * held for it; should it fail again (or a Lambda container be frozen before it is done), the
 * session expires unused.
 */
export function dropUnansweredSession(store: Store, username: string, sid: string): void {
  endSession(store, username, sid).catch(() => undefined);
}

/**
 * The end of every successful login — by password, second factor or passkey: the drafted session
 * written, its access token answered. The account may have changed (password changed or reset,
 * account removed) while the login was checked; those write the user before they end its sessions,
 * so a session written after such a change is seen here, ended, and the login answered with
 * `failure`.
 */
export async function openLoginSession(
  deps: LoginSessionDeps,
  user: UserRecord,
  caller: { userAgent?: string | undefined },
  draft: SessionDraft,
  failure: AuthError,
): Promise<OpenedSession> {
  const { store, clock, settings } = deps;
  if (draft.username !== user.username) throw new Error('a session drafted for another user');
  const { sid } = draft;
  let session: NewSession;
  let current: Item<UserRecord> | undefined;
  try {
    session = await createSession(store, clock, settings.sessionTtl, {
      username: user.username,
      userAgent: caller.userAgent,
      sid,
      amr: draft.amr,
      refresh: draft.refresh,
    });
    current = await store.get<UserRecord>(userKey(user.username));
  } catch (error) {
    dropUnansweredSession(store, user.username, sid);
    throw error;
  }
  if (!current || !sameCredentials(current.data, user)) {
    await endSession(store, user.username, sid);
    throw failure;
  }
  return { token: draft.access.token, expiresIn: draft.access.expiresIn, refreshToken: session.refreshToken, sid, current };
}
