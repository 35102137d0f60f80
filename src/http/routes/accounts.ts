import type { Hono } from 'hono';
import { parseBody } from '../body';
import type { AppEnv, RouteContext } from '../context';
import { sendError } from '../errors';
import { originMayHoldCookie, requireUser } from '../request-guards';
import { loginBody, passwordBody, registerBody } from '../schemas';
import { setSessionCookie } from '../token-sources';

/** Accounts: sign up, log in, the caller's profile, changing the password. */
export function accountRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { auth, cookie, caller, email } = context;

  app.post('/register', async (c) => {
    const body = await parseBody(c, registerBody);
    const user = await auth.register(body, caller(c));
    return c.json({ message: 'User registered successfully', user }, 201);
  });

  app.post('/login', async (c) => {
    const body = await parseBody(c, loginBody);
    const result = await auth.login(body.username, body.password, caller(c));
    if (originMayHoldCookie(c, context)) setSessionCookie(c, cookie, result.token, result.expiresIn);
    return c.json({
      message: 'User logged in successfully',
      response: { username: result.user.username, name: result.user.name, token: result.token },
      tokenType: 'Bearer',
      expiresIn: result.expiresIn,
      refreshToken: result.refreshToken,
    });
  });

  app.get('/user/myprofile', async (c) => {
    const user = await requireUser(c, context);
    const profile = await auth.profile(user.username);
    if (!profile) return sendError(c, 'not_authenticated');
    return c.json(profile);
  });

  app.post('/password', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, passwordBody);
    const who = caller(c);
    const ended = await auth.changePassword(user, body.currentPassword, body.newPassword, who);
    await email.notifyPasswordChanged(user.username, who);
    return c.json({ message: 'Password changed; every other session has been ended', ended });
  });
}
