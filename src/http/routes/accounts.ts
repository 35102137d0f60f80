import type { Hono } from 'hono';
import { originMayHoldCookie } from '../authentication';
import { parseBody } from '../body';
import { setSessionCookie } from '../credentials';
import { loginBody, registerBody } from '../schemas';
import type { Env, RouteContext } from '../app';

export function accountRoutes(app: Hono<Env>, context: RouteContext): void {
  const { auth, cookie, caller } = context;
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
}
