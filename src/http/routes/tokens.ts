import type { Hono } from 'hono';
import { parseBody } from '../body';
import type { AppEnv, RouteContext } from '../context';
import { sendError } from '../errors';
import { checkOrigin, originMayHoldCookie } from '../request-guards';
import { refreshBody, tokenBody } from '../schemas';
import { clearSessionCookie, findToken, sessionCookie, setSessionCookie } from '../token-sources';

/** Tokens: checking one, ending its session, rotating a refresh token. */
export function tokenRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { auth, cookie } = context;

  app.post('/verify', async (c) => {
    const body = await parseBody(c, tokenBody);
    const found = findToken(c, cookie, body.token);
    if (!found) return sendError(c, 'missing_field', 'token is required', 'token');
    const result = await auth.authenticate(found.token, body.username);
    if (!result.ok) return sendError(c, result.code);
    // The token is echoed as the tutorials do, but never one read from the HttpOnly cookie:
    // that would hand it to any script on the page.
    return c.json({
      verified: true,
      message: 'success',
      username: result.username,
      amr: result.amr,
      ...(found.source === 'cookie' ? {} : { token: found.token }),
    });
  });

  app.post('/logout', async (c) => {
    const body = await parseBody(c, tokenBody);
    const found = findToken(c, cookie, body.token);
    if (!found) return sendError(c, 'not_authenticated');
    // Whenever the visitor's cookie rides along, whatever token the body names, the page must be
    // one we trust: a foreign page must not log anyone out, nor clear the cookie.
    const own = sessionCookie(c, cookie);
    if (own) checkOrigin(c, context, 'cookie');
    const ended = await auth.logout(found.token, body.username);
    // The cookie is cleared only when its own session is over: ended now, or gone already.
    if (own === found.token && (ended || !(await auth.authenticate(own)).ok)) clearSessionCookie(c, cookie);
    if (!ended) return sendError(c, 'not_authenticated');
    return c.json({ message: 'Logged out successfully' });
  });

  app.post('/token/refresh', async (c) => {
    const body = await parseBody(c, refreshBody);
    const pair = await auth.refresh(body.refreshToken);
    if (originMayHoldCookie(c, context)) setSessionCookie(c, cookie, pair.token, pair.expiresIn);
    return c.json({
      message: 'Token refreshed',
      response: { username: pair.username, token: pair.token },
      tokenType: 'Bearer',
      expiresIn: pair.expiresIn,
      refreshToken: pair.refreshToken,
    });
  });
}
