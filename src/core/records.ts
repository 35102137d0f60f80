import type { Key } from '../store/store';
import type { AuthMethod } from './access-token';
import type { SealedSecret } from './sealed-secret';

/**
 * Where each record lives in the store's (pk, sk) space. One user partition holds the profile
 * and every session, so "list my sessions" and "end all my sessions" are one partition read.
 */
export const userKey = (username: string): Key => ({ pk: `USER#${username}`, sk: 'PROFILE' });
export const sessionKey = (username: string, sid: string): Key => ({ pk: `USER#${username}`, sk: `SESSION#${sid}` });
export const SESSION_PREFIX = 'SESSION#';
/** Each message of a user, under the user, so removing a user reads only their own messages. */
export const userMessageKey = (username: string, messageSk: string): Key => ({ pk: `USER#${username}`, sk: `MSG#${messageSk}` });
export const USER_MESSAGE_PREFIX = 'MSG#';
export const MESSAGE_INDEX_MARKER: Key = { pk: 'MIGRATIONS', sk: 'message-index' };
export const emailKey = (email: string): Key => ({ pk: `EMAIL#${email}`, sk: 'EMAIL' });
export const EMAIL_TOKEN_PREFIX = 'EMAILTOKEN#';
/** The one live email link of a user for one purpose (see email-tokens.ts). */
export const emailTokenKey = (username: string, purpose: string): Key => ({ pk: `USER#${username}`, sk: `${EMAIL_TOKEN_PREFIX}${purpose}` });
export const KEYS_PK = 'KEYS';
export const signingKeyKey = (kid: string): Key => ({ pk: KEYS_PK, sk: `KEY#${kid}` });
export const SIGNING_KEY_PREFIX = 'KEY#';
export const REFRESH_KEY: Key = { pk: KEYS_PK, sk: 'REFRESH_HMAC' };

/**
 * Passkeys. Each credential lives under its user (`PASSKEY#<h>`, h = SHA-256 of the credential id,
 * base64url: ids run to 1,023 bytes, more than a DynamoDB sort key holds), so "my passkeys" is one
 * partition query and removing the user finds them all. `PASSKEYS` under the user holds the
 * WebAuthn user handle and the count that caps them; every registration and removal updates it
 * over the version it read, in the same transaction as the credential, so the cap holds under
 * races. A lookup `PASSKEY#<h>`/`OWNER` names the credential's user, for logging in without a
 * username; it is created in that transaction too, conditionally, so a credential belongs to one
 * account only. A challenge is its own item, keyed by its SHA-256, expiring after five minutes.
 */
export const PASSKEY_PREFIX = 'PASSKEY#';
export const passkeyKey = (username: string, credentialHash: string): Key => ({ pk: `USER#${username}`, sk: `${PASSKEY_PREFIX}${credentialHash}` });
export const passkeySetKey = (username: string): Key => ({ pk: `USER#${username}`, sk: 'PASSKEYS' });
export const passkeyOwnerKey = (credentialHash: string): Key => ({ pk: `${PASSKEY_PREFIX}${credentialHash}`, sk: 'OWNER' });
export const passkeyChallengeKey = (challengeHash: string): Key => ({ pk: `CHALLENGE#${challengeHash}`, sk: 'CHALLENGE' });

/**
 * The message board is one partition, sorted by time: the newest 20 are one reverse query.
 * Sort keys are the zero-padded epoch milliseconds, then a random id for messages in the same ms.
 */
export const MESSAGES_PK = 'MESSAGES';
export const messageKey = (at: number, id: string): Key => ({ pk: MESSAGES_PK, sk: `${String(at).padStart(15, '0')}#${id}` });

export interface UserRecord extends Record<string, unknown> {
  username: string;
  name: string;
  email?: string;
  /** The address was confirmed through a link sent to it. Absent (older records): not confirmed. */
  emailVerified?: boolean;
  passwordHash: string;
  createdAt: string;
  /** The tutorial table this user was imported from, if any. */
  importedFrom?: string;
  /** Goes up by one each time the password is changed or reset (a re-hash of the same one does not). */
  passwordVersion?: number;
  /** The name exactly as that table keyed it (letter case and all): the source item it came from. */
  sourceUsername?: string;
}

/** The same account with the same password: not removed and made again, not changed or reset. */
export const sameCredentials = (a: UserRecord, b: UserRecord): boolean => a.createdAt === b.createdAt && (a.passwordVersion ?? 0) === (b.passwordVersion ?? 0);

export interface SessionRecord extends Record<string, unknown> {
  sid: string;
  username: string;
  /** How the login that made it was authenticated; refreshed tokens carry the same. Absent: password. */
  amr?: AuthMethod[];
  createdAt: string;
  lastUsedAt: string;
  userAgent?: string;
  /** SHA-256 of the current refresh token's secret. */
  refreshHash: string;
  /** How many times the refresh token has been rotated. */
  generation: number;
  /** SHA-256 of the secret rotated away last, and when. */
  prevHash?: string;
  rotatedAt?: number;
  /** Hashes of the last few spent secrets: presenting one of them again ends the session. */
  spent?: string[];
}

export interface EmailRecord extends Record<string, unknown> {
  username: string;
}

export interface SigningKeyRecord extends Record<string, unknown> {
  kid: string;
  alg: 'RS256';
  publicJwk: Record<string, unknown>;
  /** The private JWK under envelope encryption (see sealed-secret.ts). */
  sealedPrivateJwk?: SealedSecret;
  /** Only in a store written before private keys were sealed; sealed in place when found. */
  privateJwk?: Record<string, unknown>;
  createdAt: string;
  /** Epoch ms from which it signs; before that it is only published. Absent: from the start. */
  activatesAt?: number;
}

export interface MessageRecord extends Record<string, unknown> {
  id: string;
  author: string;
  text: string;
  createdAt: string;
}

export interface PasskeyRecord extends Record<string, unknown> {
  /** The credential id, base64url. */
  id: string;
  name: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen; 0 for authenticators that keep none. */
  counter: number;
  transports?: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  aaguid: string;
  /** The user handle the credential was made for. */
  userHandle: string;
  /** The account it belongs to (a user removed and made again under the same name is another account). */
  userCreatedAt: string;
  createdAt: string;
  lastUsedAt?: string;
}

export interface PasskeySetRecord extends Record<string, unknown> {
  /** The WebAuthn user handle, base64url of 32 random bytes: never the username. */
  userHandle: string;
  count: number;
  userCreatedAt: string;
}

export interface PasskeyOwnerRecord extends Record<string, unknown> {
  username: string;
  userCreatedAt: string;
}
