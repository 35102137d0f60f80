import type { Hono } from 'hono';
import { latestMessages, postMessage } from '../../core/messages';
import { parseBody } from '../body';
import type { AppEnv, RouteContext } from '../context';
import { requireUser } from '../request-guards';
import { messageBody } from '../schemas';

export function messageRoutes(app: Hono<AppEnv>, context: RouteContext): void {
  const { store, clock } = context.deps;

  app.get('/messages', async (c) => c.json({ messages: await latestMessages(store) }));

  app.post('/messages', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, messageBody);
    const item = await postMessage(store, clock, user.username, body.text);
    return c.json({ message: 'Message posted', item }, 201);
  });
}
