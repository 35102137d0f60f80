import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from './clock';
import type { SigningKeys } from './signing-keys';

export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds. */
  readonly accessTokenTtl: number;
}

/**
 * How the session was authenticated (RFC 8176): `pwd` a password, `otp` a one-time code,
 * `webauthn` a passkey. Tokens from before the claim existed were password logins.
 */
export type AuthMethod = 'pwd' | 'otp' | 'webauthn';
export const PASSWORD_ONLY: readonly AuthMethod[] = ['pwd'];
const AUTH_METHODS = new Set<string>(['pwd', 'otp', 'webauthn']);

export interface AccessClaims {
  readonly username: string;
  readonly sid: string;
  readonly amr: readonly AuthMethod[];
  /** Epoch seconds. */
  readonly exp: number;
}

export type AccessCheck = ({ ok: true } & AccessClaims) | { ok: false; code: 'invalid_token' | 'token_expired' };

const MAX_TOKEN_LENGTH = 4096;

export async function issueAccessToken(
  keys: SigningKeys,
  clock: Clock,
  settings: TokenSettings,
  subject: { username: string; sid: string; amr?: readonly AuthMethod[] | undefined },
): Promise<{ token: string; expiresIn: number }> {
  const { kid, key } = await keys.signer();
  const iat = Math.floor(clock.now() / 1000);
  const token = await new SignJWT({ sid: subject.sid, amr: [...(subject.amr ?? PASSWORD_ONLY)] })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(subject.username)
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.accessTokenTtl)
    .sign(key);
  return { token, expiresIn: settings.accessTokenTtl };
}

/**
 * Checks signature and claims only; whether the session still exists is the caller's next step.
 * The algorithm is pinned to RS256: `none`, HMAC and any other `alg` are refused, and so is a
 * `kid` the store does not hold.
 */
export async function checkAccessToken(keys: SigningKeys, clock: Clock, settings: TokenSettings, token: string): Promise<AccessCheck> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, code: 'invalid_token' };
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, code: 'invalid_token' };
  }
  if (header.alg !== 'RS256' || typeof header.kid !== 'string') return { ok: false, code: 'invalid_token' };
  const key = await keys.verifierFor(header.kid);
  if (!key) return { ok: false, code: 'invalid_token' };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['RS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: new Date(clock.now()),
      requiredClaims: ['sub', 'sid', 'iat', 'exp'],
    });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
      return { ok: false, code: 'invalid_token' };
    }
    const amr = payload.amr === undefined ? PASSWORD_ONLY : payload.amr;
    if (!Array.isArray(amr) || amr.length === 0 || !amr.every((m) => typeof m === 'string' && AUTH_METHODS.has(m))) return { ok: false, code: 'invalid_token' };
    return { ok: true, username: payload.sub, sid: payload.sid, exp: payload.exp, amr: amr as AuthMethod[] };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, code: 'token_expired' };
    if (error instanceof errors.JOSEError) {
      return { ok: false, code: 'invalid_token' };
    }
    throw error;
  }
}
