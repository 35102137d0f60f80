import type { Store } from '../store/store';
import type { AuthMethod } from './access-token';
import { base64url } from './base64url';
import type { Clock } from './clock';
import { usernameFromBase64url } from './identity';
import { SESSION_PREFIX, type SessionRecord, sessionKey, userKey } from './records';
import { randomToken, sha256 } from './token-crypto';

export interface NewSession {
  readonly record: SessionRecord;
  /** Opaque to clients; only its hash is stored. */
  readonly refreshToken: string;
}

const USER_AGENT_MAX = 256;
export const SID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const REFRESH_PATTERN = /^([A-Za-z0-9_-]{4,88})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * A refresh token names its session, so it is found without an index:
 * base64url(username) "." sid "." a 256-bit secret. Only SHA-256 of the secret is stored. Its shape
 * is nothing like a JWT's, so neither kind of token is ever taken for the other.
 */
export const formatRefreshToken = (username: string, sid: string, secret: string) => `${base64url(username)}.${sid}.${secret}`;

export function parseRefreshToken(token: string): { username: string; sid: string; secret: string } | undefined {
  const match = REFRESH_PATTERN.exec(token);
  if (!match) return undefined;
  const username = usernameFromBase64url(match[1]!);
  if (!username) return undefined;
  return { username, sid: match[2]!, secret: match[3]! };
}

/** 128 random bits. */
export const newSessionId = () => randomToken(16);

/** A refresh secret and its hash, made ahead so a session write can start without waiting. */
export interface RefreshSecret {
  readonly secret: string;
  readonly hash: string;
}

export async function newRefreshSecret(): Promise<RefreshSecret> {
  const secret = randomToken(32);
  return { secret, hash: await sha256(secret) };
}

export async function createSession(
  store: Store,
  clock: Clock,
  sessionTtl: number,
  owner: { username: string; userAgent?: string | undefined; sid: string; amr?: readonly AuthMethod[]; refresh: RefreshSecret },
): Promise<NewSession> {
  const { sid } = owner;
  const { secret, hash } = owner.refresh;
  const at = new Date(clock.now()).toISOString();
  const record: SessionRecord = {
    sid,
    username: owner.username,
    createdAt: at,
    lastUsedAt: at,
    refreshHash: hash,
    generation: 0,
    ...(owner.amr ? { amr: [...owner.amr] } : {}),
    ...(owner.userAgent ? { userAgent: owner.userAgent.slice(0, USER_AGENT_MAX) } : {}),
  };
  await store.create({ ...sessionKey(owner.username, sid), data: record, expiresAt: clock.now() + sessionTtl * 1000 });
  return { record, refreshToken: formatRefreshToken(owner.username, sid, secret) };
}

export async function findSession(store: Store, username: string, sid: string): Promise<SessionRecord | undefined> {
  return (await store.get<SessionRecord>(sessionKey(username, sid)))?.data;
}

/** True when this call ended a live session; false when it was already gone. */
export function endSession(store: Store, username: string, sid: string): Promise<boolean> {
  return store.delete(sessionKey(username, sid));
}

export async function listSessions(store: Store, username: string): Promise<SessionRecord[]> {
  const items = await store.list<SessionRecord>(userKey(username).pk, { prefix: SESSION_PREFIX });
  return items.map((item) => item.data);
}

/** Ends every session of the user but `keep`; resolves with how many it ended. */
export async function endSessions(store: Store, username: string, keep?: string): Promise<number> {
  const sessions = await listSessions(store, username);
  const ended = await Promise.all(sessions.filter((s) => s.sid !== keep).map((s) => endSession(store, username, s.sid)));
  return ended.filter(Boolean).length;
}

/**
 * Makes a change that the user's sessions must not outlive (a new password, the account removed),
 * ending every session but `keep` both before and after it. Before: should the store fail after the
 * change has landed, the sessions opened before the request are already gone, and a failure before
 * the change leaves it unmade, for the request to be sent again. After: a login that checked the old
 * password meanwhile writes its session before it reads the user again, so it either sees the change
 * and ends its own session, or its session is ended here. Resolves with the change's result and the
 * number of sessions ended in all.
 */
export async function endSessionsAround<R>(store: Store, username: string, change: () => Promise<R>, keep?: string): Promise<{ result: R; ended: number }> {
  const before = await endSessions(store, username, keep);
  const result = await change();
  const after = await endSessions(store, username, keep);
  return { result, ended: before + after };
}
