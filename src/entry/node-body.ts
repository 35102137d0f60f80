import type { IncomingMessage } from 'node:http';
import { AuthError } from '../core/errors';
import { type BodyReader, EARLIER_FAILURE, type EarlierFailure, readWebBody } from '../http/body';

/** A body the Node listener has already read (its quick path declined the request). */
export const BUFFERED_BODY = Symbol('gatehouse.body');
export type BufferedIncoming = IncomingMessage & { [BUFFERED_BODY]?: string; [EARLIER_FAILURE]?: EarlierFailure };

/**
 * Reads the body straight from Node's request stream, without building a Web Request around it
 * (the costliest part of a small POST on @hono/node-server), and stops past the limit.
 */
export const nodeBodyReader: BodyReader = (c, limit) => {
  const incoming = (c.env as { incoming?: BufferedIncoming } | undefined)?.incoming;
  if (!incoming) return readWebBody(c, limit);
  const buffered = incoming[BUFFERED_BODY];
  if (buffered !== undefined) return Promise.resolve(buffered);
  if (Number(incoming.headers['content-length'] ?? 0) > limit) return Promise.reject(new AuthError('payload_too_large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        incoming.off('data', onData);
        incoming.resume();
        reject(new AuthError('payload_too_large'));
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8')));
    incoming.once('error', reject);
  });
};
