import type { Hono } from 'hono';
import { parseBody } from '../body';
import type { AppEnv, RouteContext } from '../context';
import { sendError } from '../errors';
import { passkeyLoginBody, passkeyLoginOptionsBody, passkeyRegisterBody } from '../passkey-schemas';
import { requireUser } from '../request-guards';
import { loggedIn } from './accounts';

/** Passkeys: adding, listing and removing the caller's own, and logging in with one. */
export function passkeyRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { passkeys, caller } = context;

  app.post('/passkeys/register/options', async (c) => {
    const user = await requireUser(c, context);
    return c.json(await passkeys.registrationOptions(user));
  });

  app.post('/passkeys/register', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, passkeyRegisterBody);
    return c.json(await passkeys.register(user, body.response, body.name), 201);
  });

  app.get('/passkeys', async (c) => {
    const user = await requireUser(c, context);
    return c.json({ passkeys: await passkeys.list(user) });
  });

  app.delete('/passkeys/:id', async (c) => {
    const user = await requireUser(c, context);
    if (!(await passkeys.remove(user, c.req.param('id')))) return sendError(c, 'not_found', 'Passkey not found');
    return c.json({ message: 'Passkey removed' });
  });

  app.post('/passkeys/login/options', async (c) => {
    const body = await parseBody(c, passkeyLoginOptionsBody);
    return c.json(await passkeys.loginOptions(body.username, caller(c)));
  });

  // The same answer as POST /login, with `amr: ["webauthn"]` in the token.
  app.post('/passkeys/login', async (c) => {
    const body = await parseBody(c, passkeyLoginBody);
    return loggedIn(c, context, await passkeys.login(body.response, caller(c)));
  });
}
