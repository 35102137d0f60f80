import { type Item, isConditionFailed, type Store } from '../store/store';
import { issueAccessToken, type TokenSettings } from './access-token';
import type { Clock } from './clock';
import type { AddressConfirmation } from './email-verification';
import { AuthError } from './errors';
import { canonicalEmail, canonicalName, canonicalUsername, EMAIL_RULE, NAME_RULE, USERNAME_RULE } from './identity';
import { checkNewPassword, LOGIN_PASSWORD_MAX, normalizePassword, type PasswordCheck, type PasswordHasher } from './passwords';
import { sameCredentials, sessionKey, type UserRecord, userKey } from './records';
import { type RefreshedPair, refreshSession } from './refresh';
import { createSession, endSession, endSessions, listSessions, newSessionId, SID_PATTERN } from './sessions';
import type { SigningKeys } from './signing-keys';
import { createThrottle, type ThrottleSettings } from './throttle';
import { type Authenticated, type AuthFailure, createTokenVerifier } from './token-verifier';
import { insertUser } from './users';

export type { Authenticated, AuthFailure };

export interface AuthSettings extends TokenSettings {
  /** Seconds a session (and its refresh token) lives. */
  readonly sessionTtl: number;
  /** Seconds during which a retried refresh gets the same new pair. */
  readonly refreshGraceSeconds: number;
  readonly throttle: ThrottleSettings;
}

export interface AuthServiceDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly passwords: PasswordCheck;
  readonly settings: AuthSettings;
  /** Confirms a new account's email address (the link is written with the account, then mailed). */
  readonly addressConfirmation?: AddressConfirmation;
}

export interface RegisterInput {
  readonly username: string;
  readonly name: string;
  readonly password: string;
  readonly email?: string | undefined;
}

export interface PublicUser {
  readonly username: string;
  readonly name: string;
  readonly email?: string;
}

export interface Profile extends PublicUser {
  readonly createdAt: string;
  /** The address was confirmed through a link sent to it; false without an address. */
  readonly emailVerified: boolean;
}

export interface LoginResult {
  readonly user: PublicUser;
  readonly token: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly sid: string;
}

export interface SessionView {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly userAgent?: string;
  readonly current: boolean;
}

/** Who is asking: the network address limits are counted against, and the user agent. */
export interface Caller {
  readonly client: string;
  readonly userAgent?: string | undefined;
  /** The request's id, for log lines about work done on its behalf (mail). */
  readonly requestId?: string | undefined;
}

export interface AuthService {
  register(input: RegisterInput, caller: Caller): Promise<PublicUser>;
  login(username: string, password: string, caller: Caller): Promise<LoginResult>;
  /** A token is valid while its signature, claims and session all hold. */
  authenticate(token: string, expectedUsername?: string): Promise<Authenticated | AuthFailure>;
  /** Ends the token's session. False when the token was not valid. */
  logout(token: string, expectedUsername?: string): Promise<boolean>;
  logoutAll(user: Authenticated): Promise<number>;
  refresh(refreshToken: string): Promise<RefreshedPair>;
  changePassword(user: Authenticated, currentPassword: string, newPassword: string, caller: Caller): Promise<number>;
  sessions(user: Authenticated): Promise<SessionView[]>;
  /** Ends one of the user's sessions; false when there is no such live session. */
  endSession(user: Authenticated, sid: string): Promise<boolean>;
  profile(username: string): Promise<Profile | undefined>;
  /** Checks the current password of a signed-in user, counted like a login: wrong_password (403) or rate_limited. */
  confirmPassword(user: Authenticated, password: string, caller: Caller): Promise<void>;
}

const publicUser = (user: UserRecord): PublicUser => ({
  username: user.username,
  name: user.name,
  ...(user.email ? { email: user.email } : {}),
});

export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { store, hasher, clock, keys, settings } = deps;
  const throttle = createThrottle(store, clock, settings.throttle);
  const authenticate = createTokenVerifier(deps);

  const invalid = (field: string, message: string) => new AuthError('invalid_field', message, field);

  async function register(input: RegisterInput, caller: Caller): Promise<PublicUser> {
    const username = canonicalUsername(input.username);
    if (!username) throw invalid('username', USERNAME_RULE);
    const name = canonicalName(input.name);
    if (!name) throw invalid('name', NAME_RULE);
    const email = input.email === undefined ? undefined : canonicalEmail(input.email);
    if (input.email !== undefined && !email) throw invalid('email', EMAIL_RULE);
    const policy = await checkNewPassword(input.password, username, deps.passwords);
    if (!policy.ok) throw new AuthError('weak_password', policy.message, 'password');
    await throttle.admit('register', caller.client);

    // A cheap early answer for a taken name; the conditional create below is what guarantees it.
    if (await store.get(userKey(username))) throw new AuthError('user_exists');

    const user: UserRecord = {
      username,
      name,
      ...(email ? { email, emailVerified: false } : {}),
      passwordHash: await hasher.hash(policy.password),
      createdAt: new Date(clock.now()).toISOString(),
    };
    const confirmation = email ? await deps.addressConfirmation?.prepare(user) : undefined;
    try {
      await insertUser(store, user, confirmation?.writes);
    } catch (error) {
      if (isConditionFailed(error)) throw new AuthError('user_exists');
      throw error;
    }
    await confirmation?.send(caller);
    return publicUser(user);
  }

  /**
   * Checks a password for a name, at the same cost and with the same answer whether the name is
   * unknown, the password wrong, or the account locked; throws invalid_credentials or rate_limited.
   */
  async function checkPassword(rawUsername: string, rawPassword: string, caller: Caller, failure: AuthError) {
    if (rawPassword.length > LOGIN_PASSWORD_MAX) throw invalid('password', `password must be at most ${LOGIN_PASSWORD_MAX} characters`);
    const password = normalizePassword(rawPassword);
    const username = canonicalUsername(rawUsername);
    // Started on every attempt, known name or not: the first one of a process pays for making the
    // dummy hash either way, and start-up does not.
    const dummy = hasher.dummyHash();
    dummy.catch(() => undefined);
    const [attempt, item] = username
      ? await Promise.all([throttle.begin(username, caller.client), store.get<UserRecord>(userKey(username))])
      : [undefined, undefined];
    const usable = item && !attempt?.accountLocked ? item : undefined;
    const outcome = await hasher.verify(usable ? usable.data.passwordHash : await dummy, password);
    if (!usable || !outcome.ok) {
      await attempt?.failed();
      throw failure;
    }
    // Parallel failures may have used up the allowance while this password was checked.
    if (!(await attempt!.succeeded())) throw failure;
    return { item: usable, password, needsRehash: outcome.needsRehash };
  }

  async function login(rawUsername: string, rawPassword: string, caller: Caller): Promise<LoginResult> {
    await throttle.admit('login', caller.client);
    const failure = new AuthError('invalid_credentials');
    const { item, password, needsRehash } = await checkPassword(rawUsername, rawPassword, caller, failure);
    const user = item.data;
    const sid = newSessionId();
    // The session write and the signature do not depend on each other.
    const [session, access] = await Promise.all([
      createSession(store, clock, settings.sessionTtl, { username: user.username, userAgent: caller.userAgent, sid }),
      issueAccessToken(keys, clock, settings, { username: user.username, sid }),
    ]);
    // The password may have changed, or the account gone, while it was being checked. Both write
    // the user before they end its sessions, so a session written after such a change is seen here.
    const current = await store.get<UserRecord>(item);
    if (!current || !sameCredentials(current.data, user)) {
      await endSession(store, user.username, sid);
      throw failure;
    }
    if (needsRehash) await upgradeHash(current, password);
    return { user: publicUser(user), token: access.token, expiresIn: access.expiresIn, refreshToken: session.refreshToken, sid };
  }

  async function upgradeHash(item: Item<UserRecord>, password: string): Promise<void> {
    const passwordHash = await hasher.hash(password);
    try {
      // Only over the hash that was just verified: a password changed meanwhile stays changed.
      await store.update(item, { set: { passwordHash } }, { ifVersion: item.version });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async function logout(token: string, expectedUsername?: string): Promise<boolean> {
    const check = await authenticate(token, expectedUsername);
    if (!check.ok) return false;
    return endSession(store, check.username, check.sid);
  }

  async function changePassword(user: Authenticated, currentPassword: string, newPassword: string, caller: Caller): Promise<number> {
    const { item } = await checkPassword(user.username, currentPassword, caller, new AuthError('wrong_password', undefined, 'currentPassword'));
    const policy = await checkNewPassword(newPassword, user.username, deps.passwords);
    if (!policy.ok) throw new AuthError('weak_password', policy.message.replace(/^password/, 'newPassword'), 'newPassword');
    const passwordHash = await hasher.hash(policy.password);
    try {
      // The user first, then its sessions: see login.
      await store.update(userKey(user.username), { set: { passwordHash, passwordVersion: (item.data.passwordVersion ?? 0) + 1 } }, { ifVersion: item.version });
    } catch (error) {
      if (isConditionFailed(error)) throw new AuthError('conflict');
      throw error;
    }
    return endSessions(store, user.username, user.sid);
  }

  async function sessions(user: Authenticated): Promise<SessionView[]> {
    return (await listSessions(store, user.username)).map((s) => ({
      id: s.sid,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      ...(s.userAgent ? { userAgent: s.userAgent } : {}),
      current: s.sid === user.sid,
    }));
  }

  async function profile(username: string): Promise<Profile | undefined> {
    const user = (await store.get<UserRecord>(userKey(username)))?.data;
    return user && { ...publicUser(user), createdAt: user.createdAt, emailVerified: Boolean(user.email && user.emailVerified) };
  }

  return {
    register,
    login,
    authenticate,
    logout,
    logoutAll: (user) => endSessions(store, user.username),
    refresh: (token) => refreshSession(deps, token),
    changePassword,
    sessions,
    endSession: async (user, sid) => SID_PATTERN.test(sid) && (await store.delete(sessionKey(user.username, sid))),
    profile,
    async confirmPassword(user, password, caller) {
      await checkPassword(user.username, password, caller, new AuthError('wrong_password', undefined, 'currentPassword'));
    },
  };
}
