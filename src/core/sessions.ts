import type { Store } from '../store/store';
import type { Clock } from './clock';
import { randomToken, sha256 } from './random';
import { SESSION_PREFIX, sessionKey, userKey, type SessionRecord } from './records';

export interface NewSession {
  readonly record: SessionRecord;
  /** Opaque to clients; only its hash is stored. */
  readonly refreshToken: string;
}

const USER_AGENT_MAX = 256;

/**
 * A refresh token names its session so it can be found without an index:
 * base64url(username) "." sid "." 256-bit secret. Only SHA-256 of the secret is stored.
 */
export async function newRefreshToken(username: string, sid: string): Promise<{ token: string; hash: string }> {
  const secret = randomToken(32);
  const owner = btoa(username).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return { token: `${owner}.${sid}.${secret}`, hash: await sha256(secret) };
}

export async function createSession(
  store: Store,
  clock: Clock,
  sessionTtl: number,
  owner: { username: string; userAgent?: string | undefined },
): Promise<NewSession> {
  const sid = randomToken(16);
  const refresh = await newRefreshToken(owner.username, sid);
  const at = new Date(clock.now()).toISOString();
  const record: SessionRecord = {
    sid,
    username: owner.username,
    createdAt: at,
    lastUsedAt: at,
    refreshHash: refresh.hash,
    ...(owner.userAgent ? { userAgent: owner.userAgent.slice(0, USER_AGENT_MAX) } : {}),
  };
  await store.create({ ...sessionKey(owner.username, sid), data: record, expiresAt: clock.now() + sessionTtl * 1000 });
  return { record, refreshToken: refresh.token };
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
