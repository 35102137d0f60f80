import type { Context, Hono } from 'hono';
import type { LoginResult } from '../../core/auth-service';
import { parseBody } from '../body';
import type { AppEnv, RouteContext } from '../context';
import { sendError } from '../errors';
import { loginAnswer, secondStepAnswer } from '../login-answers';
import { originMayHoldCookie, requireUser } from '../request-guards';
import { loginBody, mfaLoginBody, passwordBody, registerBody } from '../schemas';
import { setSessionCookie } from '../token-sources';

/** Accounts: sign up, log in, the caller's profile, changing the password. */
export function accountRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { auth, caller, email } = context;

  app.post('/register', async (c) => {
    const body = await parseBody(c, registerBody);
    const user = await auth.register(body, caller(c));
    return c.json({ message: 'User registered successfully', user }, 201);
  });

  app.post('/login', async (c) => {
    const body = await parseBody(c, loginBody);
    const result = await auth.login(body.username, body.password, caller(c));
    // A second factor is on: no token and no cookie until the second step.
    if ('mfaRequired' in result) return c.json(secondStepAnswer(result));
    return loggedIn(c, context, result);
  });

  app.post('/login/mfa', async (c) => {
    const body = await parseBody(c, mfaLoginBody);
    return loggedIn(c, context, await auth.loginSecondStep(body, caller(c)));
  });

  app.get('/user/myprofile', async (c) => {
    const user = await requireUser(c, context);
    const profile = await auth.profile(user.username);
    if (!profile) return sendError(c, 'not_authenticated');
    // How this session was authenticated, so a page can ask for a second factor where it matters.
    return c.json({ ...profile, amr: user.amr });
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

/** The answer to a completed login, by password, second factor or passkey: the tokens, and the cookie for a trusted page. */
export function loggedIn(c: Context<AppEnv>, context: RouteContext, result: LoginResult) {
  if (originMayHoldCookie(c, context)) setSessionCookie(c, context.cookie, result.token, result.expiresIn);
  return c.json(loginAnswer(result));
}
