import type { Item, Store } from '../store/store';
import { type AuthMethod, issueAccessToken, type TokenSettings } from './access-token';
import type { Clock } from './clock';
import type { AuthError } from './errors';
import { sameCredentials, type UserRecord, userKey } from './records';
import { createSession, endSession, newSessionId } from './sessions';
import type { SigningKeys } from './signing-keys';

export interface LoginSessionDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly settings: TokenSettings & { readonly sessionTtl: number };
}

export interface OpenedSession {
  readonly token: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly sid: string;
  /** The user as stored after the session was written. */
  readonly current: Item<UserRecord>;
}

/**
 * The end of every successful login — by password, second factor or passkey: a new session and
 * its access token, carrying how the person was authenticated (`amr`). The account may have
 * changed (password changed or reset, account removed) while the login was checked; those write
 * the user before they end its sessions, so a session written after such a change is seen here,
 * ended, and the login answered with `failure`.
 */
export async function openLoginSession(
  deps: LoginSessionDeps,
  user: UserRecord,
  caller: { userAgent?: string | undefined },
  amr: readonly AuthMethod[],
  failure: AuthError,
): Promise<OpenedSession> {
  const { store, clock, keys, settings } = deps;
  const sid = newSessionId();
  // The session write and the signature do not depend on each other.
  const [session, access] = await Promise.all([
    createSession(store, clock, settings.sessionTtl, { username: user.username, userAgent: caller.userAgent, sid, amr }),
    issueAccessToken(keys, clock, settings, { username: user.username, sid, amr }),
  ]);
  const current = await store.get<UserRecord>(userKey(user.username));
  if (!current || !sameCredentials(current.data, user)) {
    await endSession(store, user.username, sid);
    throw failure;
  }
  return { token: access.token, expiresIn: access.expiresIn, refreshToken: session.refreshToken, sid, current };
}
