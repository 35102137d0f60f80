import { ConditionFailedError, isConditionFailed, type Store } from '../store/store';
import { issueAccessToken, type TokenSettings } from './access-tokens';
import { createAuthenticator, type Authenticated, type AuthFailure } from './authenticator';
import type { Clock } from './clock';
import { AuthError } from './errors';
import { canonicalEmail, canonicalName, canonicalUsername, EMAIL_RULE, NAME_RULE, USERNAME_RULE } from './identity';
import { checkNewPassword, LOGIN_PASSWORD_MAX, normalizePassword, type PasswordCheck, type PasswordHasher } from './passwords';
import { emailKey, userKey, type UserRecord } from './records';
import { createSession, endSession } from './sessions';
import type { SigningKeys } from './signing-keys';

export interface AuthSettings extends TokenSettings {
  /** Seconds a session (and its refresh token) lives. */
  readonly sessionTtl: number;
}

export interface AuthDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly passwords: PasswordCheck;
  readonly settings: AuthSettings;
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
}

export interface LoginResult {
  readonly user: PublicUser;
  readonly token: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly sid: string;
}

export type { Authenticated, AuthFailure };

export interface Auth {
  register(input: RegisterInput): Promise<PublicUser>;
  login(username: string, password: string, meta?: { userAgent?: string | undefined }): Promise<LoginResult>;
  /** A token is valid while its signature, claims and session all hold. */
  authenticate(token: string, expectedUsername?: string): Promise<Authenticated | AuthFailure>;
  /** Ends the token's session. False when the token was not valid. */
  logout(token: string, expectedUsername?: string): Promise<boolean>;
  profile(username: string): Promise<Profile | undefined>;
}

const publicUser = (user: UserRecord): PublicUser => ({
  username: user.username,
  name: user.name,
  ...(user.email ? { email: user.email } : {}),
});

export function createAuth(deps: AuthDeps): Auth {
  const { store, hasher, clock, keys, settings } = deps;

  const invalid = (field: string, message: string) => new AuthError('invalid_field', message, field);

  async function register(input: RegisterInput): Promise<PublicUser> {
    const username = canonicalUsername(input.username);
    if (!username) throw invalid('username', USERNAME_RULE);
    const name = canonicalName(input.name);
    if (!name) throw invalid('name', NAME_RULE);
    const email = input.email === undefined ? undefined : canonicalEmail(input.email);
    if (input.email !== undefined && !email) throw invalid('email', EMAIL_RULE);
    const policy = await checkNewPassword(input.password, username, deps.passwords);
    if (!policy.ok) throw new AuthError('weak_password', policy.message, 'password');

    // A cheap early answer for a taken name; the conditional create below is what guarantees it.
    if (await store.get(userKey(username))) throw new AuthError('user_exists');

    const user: UserRecord = {
      username,
      name,
      ...(email ? { email } : {}),
      passwordHash: await hasher.hash(policy.password),
      createdAt: new Date(clock.now()).toISOString(),
    };
    try {
      if (email) {
        await store.transact([
          { type: 'create', item: { ...userKey(username), data: user } },
          { type: 'create', item: { ...emailKey(email), data: { username } } },
        ]);
      } else {
        await store.create({ ...userKey(username), data: user });
      }
    } catch (error) {
      if (isConditionFailed(error)) throw new AuthError('user_exists');
      throw error;
    }
    return publicUser(user);
  }

  async function login(rawUsername: string, rawPassword: string, meta: { userAgent?: string | undefined } = {}) {
    if (rawPassword.length > LOGIN_PASSWORD_MAX) throw invalid('password', `password must be at most ${LOGIN_PASSWORD_MAX} characters`);
    const password = normalizePassword(rawPassword);
    const username = canonicalUsername(rawUsername);
    const item = username ? await store.get<UserRecord>(userKey(username)) : undefined;
    if (!item) {
      // The same work as a real check, so an unknown name cannot be told apart by timing.
      await hasher.verify(await hasher.dummyHash(), password);
      throw new AuthError('invalid_credentials');
    }
    const user = item.data;
    const outcome = await hasher.verify(user.passwordHash, password);
    if (!outcome.ok) throw new AuthError('invalid_credentials');
    if (outcome.needsRehash) await upgradeHash(item.pk, item.sk, item.version, password);

    const session = await createSession(store, clock, settings.sessionTtl, { username: user.username, userAgent: meta.userAgent });
    const access = await issueAccessToken(keys, clock, settings, { username: user.username, sid: session.record.sid });
    return {
      user: publicUser(user),
      token: access.token,
      expiresIn: access.expiresIn,
      refreshToken: session.refreshToken,
      sid: session.record.sid,
    };
  }

  async function upgradeHash(pk: string, sk: string, version: number, password: string): Promise<void> {
    const passwordHash = await hasher.hash(password);
    try {
      // Only over the hash that was just verified: a password changed meanwhile stays changed.
      await store.update({ pk, sk }, { set: { passwordHash } }, { ifVersion: version });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  const authenticate = createAuthenticator(deps);

  async function logout(token: string, expectedUsername?: string): Promise<boolean> {
    const check = await authenticate(token, expectedUsername);
    if (!check.ok) return false;
    return endSession(store, check.username, check.sid);
  }

  async function profile(username: string): Promise<Profile | undefined> {
    const user = (await store.get<UserRecord>(userKey(username)))?.data;
    return user && { ...publicUser(user), createdAt: user.createdAt };
  }

  return { register, login, authenticate, logout, profile };
}
