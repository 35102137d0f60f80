import { type Item, isConditionFailed, type Store } from '../store/store';
import { PASSWORD_ONLY, type TokenSettings } from './access-token';
import type { Clock } from './clock';
import type { AddressConfirmation } from './email-verification';
import { AuthError } from './errors';
import { canonicalEmail, canonicalName, canonicalUsername, EMAIL_RULE, NAME_RULE, USERNAME_RULE } from './identity';
import type { KeyVault } from './key-vault';
import { draftLoginSession, dropUnansweredSession, type OpenedSession, openLoginSession } from './login-session';
import { checkNewPassword, LOGIN_PASSWORD_MAX, normalizePassword, type PasswordCheck, type PasswordHasher } from './passwords';
import { sessionKey, type UserRecord, userKey } from './records';
import { type RefreshedPair, refreshSession } from './refresh';
import { createSecondFactor, type MfaChallenge, type MfaLogin, type SecondFactor } from './second-factor';
import { endSession, endSessions, endSessionsAround, listSessions, SID_PATTERN } from './sessions';
import type { SigningKeys } from './signing-keys';
import { createThrottle, type ThrottleSettings } from './throttle';
import { type Authenticated, type AuthFailure, createTokenVerifier } from './token-verifier';
import { findUser, insertUser } from './users';

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
  readonly keyVault: KeyVault;
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
  readonly mfa: { readonly totp: boolean; readonly recoveryCodesLeft: number };
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

/** A right password for a user with a second factor: no session yet, a token for the next step. */
export interface SecondStep extends MfaChallenge {
  readonly mfaRequired: true;
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
  login(username: string, password: string, caller: Caller): Promise<LoginResult | SecondStep>;
  /** The second step of a login with TOTP on: a code from the app or a recovery code. */
  loginSecondStep(input: MfaLogin, caller: Caller): Promise<LoginResult>;
  /**
   * Checks the current password of a signed-in user, counted like a login: wrong_password (403) or
   * rate_limited. Resolves with the user as the check read it.
   */
  confirmPassword(user: Authenticated, currentPassword: string, caller: Caller): Promise<UserRecord>;
  readonly secondFactor: SecondFactor;
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
}

/** Resolves once the work queued before it (a native call's hand-over to its thread) has run. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const publicUser = (user: UserRecord): PublicUser => ({
  username: user.username,
  name: user.name,
  ...(user.email ? { email: user.email } : {}),
});

/** What every completed login answers — by password, second factor or passkey. */
export const loginResult = (user: UserRecord, opened: OpenedSession): LoginResult => ({
  user: publicUser(user),
  token: opened.token,
  expiresIn: opened.expiresIn,
  refreshToken: opened.refreshToken,
  sid: opened.sid,
});

export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { store, hasher, clock, settings } = deps;
  const throttle = createThrottle(store, clock, settings.throttle);
  const secondFactor = createSecondFactor({ ...deps, throttle });
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
    const verdict = await checkPasswordFirst(rawUsername, rawPassword, caller, failure);
    // Parallel failures may have used up the allowance while this password was checked.
    if (!(await verdict.stands())) throw failure;
    return verdict;
  }

  /**
   * The password check up to its verdict; `stands()` then says whether a right password may count
   * (a login runs it beside writing its session, to save a round trip). `alongside` runs with the
   * first reads (the client's login cap); `whileHashing` runs while the hash is computed on another
   * thread, for every name alike, and what it made is returned only with a right password.
   */
  async function checkPasswordFirst<T = undefined>(
    rawUsername: string,
    rawPassword: string,
    caller: Caller,
    failure: AuthError,
    { alongside, whileHashing }: { alongside?: () => Promise<void>; whileHashing?: (username: string) => Promise<T> } = {},
  ) {
    if (rawPassword.length > LOGIN_PASSWORD_MAX) throw invalid('password', `password must be at most ${LOGIN_PASSWORD_MAX} characters`);
    const password = normalizePassword(rawPassword);
    const username = canonicalUsername(rawUsername);
    // Started on every attempt, known name or not: the first one of a process pays for making the
    // dummy hash either way, and start-up does not.
    const dummy = hasher.dummyHash();
    dummy.catch(() => undefined);
    const [, attempt, item] = await Promise.all([
      alongside?.(),
      username ? throttle.begin(username, caller.client) : undefined,
      username ? store.get<UserRecord>(userKey(username)) : undefined,
    ]);
    const usable = item && !attempt?.accountLocked ? item : undefined;
    const verified = hasher.verify(usable ? usable.data.passwordHash : await dummy, password);
    // After a turn of the event loop, so the hash has been handed to its thread first.
    const made = whileHashing && username ? nextTurn().then(() => whileHashing(username)) : undefined;
    made?.catch(() => undefined);
    const outcome = await verified;
    if (!usable || !outcome.ok) {
      await attempt?.failed();
      throw failure;
    }
    return { item: usable, password, needsRehash: outcome.needsRehash, stands: () => attempt!.succeeded(), made: (await made) as T };
  }

  async function login(rawUsername: string, rawPassword: string, caller: Caller): Promise<LoginResult | SecondStep> {
    const failure = new AuthError('invalid_credentials');
    // The session's id, refresh secret and signed token are made while the hash is computed.
    const { item, password, needsRehash, stands, made } = await checkPasswordFirst(rawUsername, rawPassword, caller, failure, {
      alongside: () => throttle.admit('login', caller.client),
      whileHashing: (username) => draftLoginSession(deps, username, PASSWORD_ONLY),
    });
    const user = item.data;
    if (secondFactor.isOn(user)) {
      if (!(await stands())) throw failure;
      if (needsRehash) await upgradeHash(item, password);
      return { mfaRequired: true, ...(await secondFactor.challenge(user)) };
    }
    // Whether the password may count is read beside the session write; if not, the session ends.
    const [opening, allowed] = await Promise.allSettled([openLoginSession(deps, user, caller, made!, failure), stands()]);
    if (opening.status === 'rejected') throw opening.reason;
    const opened = opening.value;
    try {
      if (allowed.status === 'rejected') throw allowed.reason;
      if (!allowed.value) {
        await endSession(store, user.username, opened.sid);
        throw failure;
      }
      if (needsRehash) await upgradeHash(opened.current, password);
    } catch (error) {
      if (error !== failure) dropUnansweredSession(store, user.username, opened.sid);
      throw error;
    }
    return loginResult(user, opened);
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
    const change = async () => {
      try {
        await store.update(
          userKey(user.username),
          { set: { passwordHash, passwordVersion: (item.data.passwordVersion ?? 0) + 1 } },
          { ifVersion: item.version },
        );
      } catch (error) {
        if (isConditionFailed(error)) throw new AuthError('conflict');
        throw error;
      }
    };
    return (await endSessionsAround(store, user.username, change, user.sid)).ended;
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
    const user = await findUser(store, username);
    return user && { ...publicUser(user), createdAt: user.createdAt, emailVerified: Boolean(user.email && user.emailVerified), mfa: secondFactor.status(user) };
  }

  async function loginSecondStep(input: MfaLogin, caller: Caller): Promise<LoginResult> {
    const opened = await secondFactor.finish(input, caller);
    return loginResult(opened.user, opened);
  }

  async function confirmPassword(user: Authenticated, currentPassword: string, caller: Caller): Promise<UserRecord> {
    return (await checkPassword(user.username, currentPassword, caller, new AuthError('wrong_password', undefined, 'currentPassword'))).item.data;
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
    loginSecondStep,
    confirmPassword,
    secondFactor,
  };
}
