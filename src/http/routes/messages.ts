import type { Hono } from 'hono';
import * as z from 'zod/mini';
import { latestMessages, postMessage } from '../../core/messages';
import { parseBody } from '../body';
import { requireUser } from '../authentication';
import type { Env, RouteContext } from '../app';

const messageBody = z.object({ text: z.string().check(z.minLength(1), z.maxLength(4000)) });

export function messageRoutes(app: Hono<Env>, context: RouteContext): void {
  const { store, clock } = context.deps;

  app.get('/messages', async (c) => c.json({ messages: await latestMessages(store) }));

  app.post('/messages', async (c) => {
    const user = await requireUser(c, context);
    const body = await parseBody(c, messageBody);
    const item = await postMessage(store, clock, user.username, body.text);
    return c.json({ message: 'Message posted', item }, 201);
  });
}
