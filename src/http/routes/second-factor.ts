import type { Hono } from 'hono';
import { parseBody } from '../body';
import type { AppEnv, RouteContext } from '../context';
import { requireUser } from '../request-guards';
import { currentPasswordBody, totpCodeBody } from '../schemas';

/** Second factor: TOTP from an authenticator app, and recovery codes. Changes need the current password. */
export function secondFactorRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { auth, caller } = context;

  app.post('/mfa/totp/setup', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, currentPasswordBody);
    await auth.confirmPassword(user, body.currentPassword, caller(c));
    return c.json(await auth.secondFactor.setup(user.username));
  });

  app.post('/mfa/totp/confirm', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, totpCodeBody);
    return c.json(await auth.secondFactor.confirm(user.username, body.code));
  });

  app.post('/mfa/recovery-codes', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, currentPasswordBody);
    await auth.confirmPassword(user, body.currentPassword, caller(c));
    return c.json(await auth.secondFactor.regenerate(user.username));
  });

  app.delete('/mfa/totp', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, currentPasswordBody);
    await auth.confirmPassword(user, body.currentPassword, caller(c));
    await auth.secondFactor.disable(user.username);
    return c.json({ message: 'Two-step verification is off; its recovery codes no longer work' });
  });
}
