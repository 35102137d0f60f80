import type { Hono } from 'hono';
import { parseBody } from '../body';
import type { AppEnv, RouteContext } from '../context';
import { requireUser } from '../request-guards';
import { FORGOT_ANSWER } from '../responses';
import { emailChangeBody, emailTokenBody, forgotBody, resetBody } from '../schemas';

/** Email: confirming an address, changing it, and a forgotten password (SPEC §11). */
export function emailRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { auth, email, caller } = context;

  app.post('/email/verify', async (c) => {
    const body = await parseBody(c, emailTokenBody);
    const confirmed = await email.confirmAddress(body.token, caller(c));
    return c.json({ message: 'Email address verified', email: confirmed.email });
  });

  app.post('/email/verify/resend', async (c) => {
    const user = await requireUser(c, context);
    const sent = await email.resendConfirmation(user.username, caller(c));
    return c.json({ message: `A new confirmation link is on its way to ${sent.email}`, email: sent.email }, 202);
  });

  app.post('/email', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, emailChangeBody);
    const who = caller(c);
    const sent = await email.requestAddressChange(user.username, body.email, who, () => auth.confirmPassword(user, body.currentPassword, who));
    return c.json({ message: `A confirmation link is on its way to ${sent.email}; the address changes once it is opened`, email: sent.email }, 202);
  });

  // The same answer, headers and time for every name: what depends on the account runs after it.
  app.post('/password/forgot', async (c) => {
    const body = await parseBody(c, forgotBody);
    const work = await email.forgotPassword(body, caller(c));
    await context.afterResponse(c, work);
    return c.json({ message: FORGOT_ANSWER }, 202);
  });

  app.post('/password/reset', async (c) => {
    const body = await parseBody(c, resetBody);
    const ended = await email.resetPassword(body.token, body.newPassword, caller(c));
    return c.json({ message: 'Password reset; every session has been ended', ended });
  });
}
