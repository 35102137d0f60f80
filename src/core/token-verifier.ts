import type { Store } from '../store/store';
import { type AccessCheck, type AuthMethod, checkAccessToken, type TokenSettings } from './access-token';
import type { Clock } from './clock';
import { findSession } from './sessions';
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
    if (cached) {
      check = { ok: true, ...cached };
    } else {
      check = await checkAccessToken(keys, clock, settings, token);
      if (!check.ok) return check;
      verified.set(token, { username: check.username, sid: check.sid, exp: check.exp, amr: check.amr }, nowSeconds);
    }
    if (expectedUsername !== undefined && expectedUsername.toLowerCase() !== check.username) {
      return { ok: false, code: 'username_mismatch' };
    }
    const session = await findSession(store, check.username, check.sid);
    if (!session) return { ok: false, code: 'session_revoked' };
    return { ok: true, username: check.username, sid: check.sid, exp: check.exp, amr: check.amr };
  };
}
