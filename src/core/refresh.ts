import { isConditionFailed, type Store } from '../store/store';
import { issueAccessToken, type TokenSettings } from './access-token';
import { base64url } from './base64url';
import type { Clock } from './clock';
import { AuthError } from './errors';
import { type SessionRecord, sessionKey } from './records';
import { formatRefreshToken, parseRefreshToken } from './sessions';
import type { SigningKeys } from './signing-keys';
import { sha256, timingSafeEqual } from './token-crypto';

export interface RefreshDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly settings: TokenSettings & { readonly refreshGraceSeconds: number };
}

export interface RefreshedPair {
  readonly username: string;
  readonly sid: string;
  readonly token: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
}

const SPENT_KEPT = 8;

/**
 * The next secret is HMAC(server key, previous secret, sid, generation): a retry with the same
 * spent token derives the same next secret, so it gets the same pair without any secret being
 * stored, and no one without the server key can compute it.
 */
async function nextSecret(keys: SigningKeys, secret: string, sid: string, generation: number): Promise<string> {
  const key = await keys.refreshKey();
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`gatehouse-refresh|${sid}|${generation}|${secret}`));
  return base64url(new Uint8Array(mac));
}

/**
 * Rotates a refresh token: single use, with a conditional write. A retry of the same token within
 * the grace period (several tabs refreshing at once) gets the same new pair; a spent token
 * presented later ends the whole session.
 */
export async function refreshSession(deps: RefreshDeps, token: string): Promise<RefreshedPair> {
  const { store, clock, keys, settings } = deps;
  const parsed = parseRefreshToken(token);
  if (!parsed) throw new AuthError('invalid_refresh_token');
  const key = sessionKey(parsed.username, parsed.sid);
  const presented = await sha256(parsed.secret);

  const pair = async (secret: string, issuedAt: number, amr: SessionRecord['amr']): Promise<RefreshedPair> => {
    // RS256 signatures are deterministic: the same claims give the same access token.
    const access = await issueAccessToken(keys, { now: () => issuedAt }, settings, { username: parsed.username, sid: parsed.sid, amr });
    return {
      username: parsed.username,
      sid: parsed.sid,
      token: access.token,
      expiresIn: access.expiresIn,
      refreshToken: formatRefreshToken(parsed.username, parsed.sid, secret),
    };
  };

  for (let attempt = 0; attempt < 3; attempt++) {
    const item = await store.get<SessionRecord>(key);
    if (!item) throw new AuthError('invalid_refresh_token');
    const session = item.data;
    const now = clock.now();

    if (timingSafeEqual(presented, session.refreshHash)) {
      const generation = session.generation + 1;
      const secret = await nextSecret(keys, parsed.secret, parsed.sid, generation);
      const next = await sha256(secret);
      const issuedAt = Math.floor(now / 1000) * 1000;
      try {
        await store.update(
          key,
          {
            set: {
              refreshHash: next,
              generation,
              prevHash: presented,
              rotatedAt: issuedAt,
              spent: [...(session.spent ?? []), presented].slice(-SPENT_KEPT),
              lastUsedAt: new Date(now).toISOString(),
            },
          },
          { ifVersion: item.version },
        );
      } catch (error) {
        // Another request rotated it first: look again, and this becomes a retry.
        if (isConditionFailed(error)) continue;
        throw error;
      }
      return pair(secret, issuedAt, session.amr);
    }

    const isRetry =
      session.prevHash !== undefined &&
      timingSafeEqual(presented, session.prevHash) &&
      session.rotatedAt !== undefined &&
      now - session.rotatedAt <= settings.refreshGraceSeconds * 1000;
    if (isRetry) {
      const secret = await nextSecret(keys, parsed.secret, parsed.sid, session.generation);
      // Only while that rotation is still the latest one.
      if (timingSafeEqual(await sha256(secret), session.refreshHash)) return pair(secret, session.rotatedAt!, session.amr);
    }

    if ((session.spent ?? []).some((hash) => timingSafeEqual(presented, hash))) {
      await store.delete(key);
      throw new AuthError('refresh_token_reused');
    }
    throw new AuthError('invalid_refresh_token');
  }
  throw new AuthError('conflict');
}
