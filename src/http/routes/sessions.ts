import type { Hono } from 'hono';
import type { AppEnv, RouteContext } from '../context';
import { sendError } from '../errors';
import { currentUser, requireUser } from '../request-guards';
import { clearSessionCookie } from '../token-sources';

/** Sessions: who holds this one, the caller's own, and ending one or all of them. */
export function sessionRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { auth, cookie } = context;

  // A page's "who is logged in?" with an answer for nobody that is not an error. It says nothing
  // about any user unless the token is valid; a cookie that no longer is gets cleared.
  app.get('/session', async (c) => {
    const { user, source } = await currentUser(c, context);
    const profile = user && (await auth.profile(user.username));
    if (user && profile) return c.json({ authenticated: true, user: { ...profile, amr: user.amr } });
    if (source === 'cookie') clearSessionCookie(c, cookie);
    return c.json({ authenticated: false });
  });

  app.post('/logout/all', async (c) => {
    const user = await requireUser(c, context);
    const ended = await auth.logoutAll(user);
    clearSessionCookie(c, cookie);
    return c.json({ message: 'Logged out of every session', ended });
  });

  app.get('/sessions', async (c) => {
    const user = await requireUser(c, context);
    return c.json({ sessions: await auth.sessions(user) });
  });

  app.delete('/sessions/:id', async (c) => {
    const user = await requireUser(c, context);
    const id = c.req.param('id');
    if (!(await auth.endSession(user, id))) return sendError(c, 'not_found', 'Session not found');
    if (id === user.sid) clearSessionCookie(c, cookie);
    return c.json({ message: 'Session ended' });
  });
}
