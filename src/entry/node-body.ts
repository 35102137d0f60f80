import type { IncomingMessage } from 'node:http';
import { AuthError } from '../core/errors';
import { readWebBody, type BodyReader } from '../http/app';

/**
 * Reads the body straight from Node's request stream, without building a Web Request around it
 * (the costliest part of a small POST on @hono/node-server), and stops past the limit.
 */
export const nodeBodyReader: BodyReader = async (c, limit) => {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return readWebBody(c, limit);
  if (Number(incoming.headers['content-length'] ?? 0) > limit) throw new AuthError('payload_too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AuthError('payload_too_large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
};
