import type { Hono } from 'hono';
import { originMayHoldCookie, requireUser } from '../authentication';
import { parseBody } from '../body';
import { clearSessionCookie, setSessionCookie } from '../credentials';
import { sendError } from '../errors';
import { passwordBody, refreshBody } from '../schemas';
import type { Env, RouteContext } from '../app';


export function sessionRoutes(app: Hono<Env>, context: RouteContext): void {
  const { auth, cookie, caller } = context;

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

  app.post('/logout/all', async (c) => {
    const user = await requireUser(c, context);
    const ended = await auth.logoutAll(user);
    clearSessionCookie(c, cookie);
    return c.json({ message: 'Logged out of every session', ended });
  });

  app.post('/password', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, passwordBody);
    const ended = await auth.changePassword(user, body.currentPassword, body.newPassword, caller(c));
    return c.json({ message: 'Password changed; every other session has been ended', ended });
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
