import { decodeJwt } from 'jose';
import type { Store } from '../store/store';
import { type AccessCheck, type AuthMethod, checkAccessToken, type TokenSettings } from './access-token';
import type { Clock } from './clock';
import { USERNAME_PATTERN } from './identity';
import type { SessionRecord } from './records';
import { findSession, SID_PATTERN } from './sessions';
import type { SigningKeys } from './signing-keys';
import { tokenCache } from './token-cache';

export type Authenticated = { ok: true; username: string; sid: string; exp: number; amr: readonly AuthMethod[] };
export type AuthFailure = { ok: false; code: 'invalid_token' | 'token_expired' | 'session_revoked' | 'username_mismatch' };

export interface TokenVerifierDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly settings: TokenSettings;
}

/**
 * A token is valid while its signature, its claims and its session all hold. This is everything
 * the API Gateway authorizer needs, and nothing more: no hashing, no request parsing.
 */
export type TokenVerifier = (token: string, expectedUsername?: string) => Promise<Authenticated | AuthFailure>;

export function createTokenVerifier({ store, clock, keys, settings }: TokenVerifierDeps): TokenVerifier {
  const verified = tokenCache();
  return async (token, expectedUsername) => {
    const nowSeconds = Math.floor(clock.now() / 1000);
    const cached = verified.get(token, nowSeconds);
    let check: AccessCheck;
    let early: Promise<SessionRecord | undefined> | undefined;
    if (cached) {
      check = { ok: true, ...cached };
    } else {
      // The session is read while the signature is checked (a cold instance also fetches the
      // key): one round trip instead of two. What it read counts only if the token proves good,
      // and then it names the same session: the claims read here are the ones the check accepts.
      const claimed = claimedSession(token);
      early = claimed && findSession(store, claimed.username, claimed.sid);
      early?.catch(() => undefined);
      check = await checkAccessToken(keys, clock, settings, token);
      if (!check.ok) return check;
      verified.set(token, { username: check.username, sid: check.sid, exp: check.exp, amr: check.amr }, nowSeconds);
    }
    if (expectedUsername !== undefined && expectedUsername.toLowerCase() !== check.username) {
      return { ok: false, code: 'username_mismatch' };
    }
    const session = await (early ?? findSession(store, check.username, check.sid));
    if (!session) return { ok: false, code: 'session_revoked' };
    return { ok: true, username: check.username, sid: check.sid, exp: check.exp, amr: check.amr };
  };
}

/** The subject and session a token names, before anything about it is checked. */
function claimedSession(token: string): { username: string; sid: string } | undefined {
  try {
    const claims = decodeJwt(token);
    return typeof claims.sub === 'string' && typeof claims.sid === 'string' && USERNAME_PATTERN.test(claims.sub) && SID_PATTERN.test(claims.sid)
      ? { username: claims.sub, sid: claims.sid }
      : undefined;
  } catch {
    return undefined;
  }
}
