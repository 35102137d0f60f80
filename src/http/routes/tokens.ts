import type { Context, Hono } from 'hono';
import { AuthError } from '../../core/errors';
import { parseBody } from '../body';
import { clearSessionCookie, findToken, type TokenSource } from '../credentials';
import { sendError } from '../errors';
import { tokenBody } from '../schemas';
import type { Env, RouteContext } from '../app';

export function tokenRoutes(app: Hono<Env>, context: RouteContext): void {
  const { auth, cookie } = context;

  // A cookie rides along on requests other pages start; a write it authenticates must come from
  // a page we trust. Bearer tokens and body tokens are sent on purpose and need no such check.
  const checkOrigin = (c: Context, source: TokenSource) => {
    if (source !== 'cookie') return;
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin && !context.trustedOrigins.has(origin)) {
      throw new AuthError('forbidden_origin');
    }
  };

  app.post('/verify', async (c) => {
    const body = await parseBody(c, tokenBody);
    const found = findToken(c, cookie, body.token);
    if (!found) return sendError(c, 'missing_field', 'token is required', 'token');
    const result = await auth.authenticate(found.token, body.username);
    if (!result.ok) return sendError(c, result.code);
    return c.json({ verified: true, message: 'success', username: result.username, token: found.token });
  });

  app.post('/logout', async (c) => {
    const body = await parseBody(c, tokenBody);
    const found = findToken(c, cookie, body.token);
    clearSessionCookie(c, cookie);
    if (!found) return sendError(c, 'not_authenticated');
    checkOrigin(c, found.source);
    if (!(await auth.logout(found.token, body.username))) return sendError(c, 'not_authenticated');
    return c.json({ message: 'Logged out successfully' });
  });

  app.get('/user/myprofile', async (c) => {
    const found = findToken(c, cookie);
    if (!found) return sendError(c, 'missing_token');
    const result = await auth.authenticate(found.token);
    if (!result.ok) return sendError(c, result.code === 'username_mismatch' ? 'invalid_token' : result.code);
    const profile = await auth.profile(result.username);
    if (!profile) return sendError(c, 'not_authenticated');
    return c.json(profile);
  });
}
