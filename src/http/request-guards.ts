import type { Context } from 'hono';
import { AuthError } from '../core/errors';
import type { Authenticated } from '../core/token-verifier';
import type { RouteContext } from './context';
import { findToken, type TokenSource } from './token-sources';

/**
 * The origin of the page that sent a request: its Origin header, or — from browsers that leave
 * Origin out — the origin of its Referer. Undefined when it carries neither (or a garbled one).
 */
function pageOrigin(c: Context): string | undefined {
  const origin = c.req.header('origin');
  if (origin) return origin;
  const referer = c.req.header('referer');
  if (!referer || !URL.canParse(referer)) return undefined;
  return new URL(referer).origin;
}

const trusted = (c: Context, context: RouteContext, origin: string): boolean => origin === new URL(c.req.url).origin || context.trustedOrigins.has(origin);

/**
 * A cookie rides along on requests other pages start; a write it authenticates must come from a
 * page we trust, and must say which page that is (Origin, else Referer): one that names none is
 * refused. Bearer and body tokens are sent on purpose and need no such check.
 */
export function checkOrigin(c: Context, context: RouteContext, source: TokenSource): void {
  if (source !== 'cookie' || c.req.method === 'GET' || c.req.method === 'HEAD') return;
  const origin = pageOrigin(c);
  if (!origin || !trusted(c, context, origin)) throw new AuthError('forbidden_origin');
}

/**
 * Whether a browser page on this request's origin may be handed a session cookie: no Origin or
 * Referer (not a browser page), this same origin, or one the configuration trusts. Without this,
 * any page could log a visitor into an account of its choosing (login CSRF).
 */
export function originMayHoldCookie(c: Context, context: RouteContext): boolean {
  const origin = pageOrigin(c);
  return !origin || trusted(c, context, origin);
}

/** The caller of a protected route, from bearer or cookie; a 401 with the precise code otherwise. */
export async function requireUser(c: Context, context: RouteContext): Promise<Authenticated> {
  const found = findToken(c, context.cookie);
  if (!found) throw new AuthError('missing_token');
  checkOrigin(c, context, found.source);
  const result = await context.auth.authenticate(found.token);
  if (!result.ok) throw new AuthError(result.code === 'username_mismatch' ? 'invalid_token' : result.code);
  return result;
}

/**
 * Who holds the request's session, if anyone: the user of a valid bearer token or cookie, or
 * nobody — never an error for a missing, bad, expired or ended token (a store that does not
 * answer still throws). `source` tells where a token came from, valid or not.
 */
export async function currentUser(c: Context, context: RouteContext): Promise<{ user?: Authenticated; source?: TokenSource }> {
  const found = findToken(c, context.cookie);
  if (!found) return {};
  const result = await context.auth.authenticate(found.token);
  return result.ok ? { user: result, source: found.source } : { source: found.source };
}
