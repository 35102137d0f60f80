import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { GatehouseApp } from '../http/app';
import { BODY_LIMIT, EARLIER_FAILURE } from '../http/body';
import { BUFFERED_BODY, type BufferedIncoming } from './node-body';

/**
 * The Node server's request listener: the app, with POST /verify's common case answered first by
 * the app's own quick path (no Web Request, no middleware chain). Only a request that cannot be
 * anything but that case is tried: no Origin, no cookie, a JSON body of a declared length within
 * the limit. When the quick path declines, the body already read goes on to the app with it; when
 * it fails (the store did not answer), the app answers that failure without asking again.
 */
export function nodeListener(app: GatehouseApp): (req: IncomingMessage, res: ServerResponse) => void {
  const full = getRequestListener(app.fetch);
  return (req, res) => {
    if (!quickCandidate(req)) {
      full(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', () => full(req, res));
    req.once('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      app.quickVerify({ body, authorization: req.headers.authorization }).then(
        (answer) => {
          if (answer) {
            res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(Buffer.byteLength(answer.body)) }).end(answer.body);
            return;
          }
          (req as BufferedIncoming)[BUFFERED_BODY] = body;
          full(req, res);
        },
        (error: unknown) => {
          (req as BufferedIncoming)[BUFFERED_BODY] = body;
          (req as BufferedIncoming)[EARLIER_FAILURE] = { error };
          full(req, res);
        },
      );
    });
  };
}

function quickCandidate(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== '/verify') return false;
  const { headers } = req;
  if (headers.origin !== undefined || headers.cookie !== undefined) return false;
  const type = headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(?:;|$)/i.test(type)) return false;
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length >= 0 && length <= BODY_LIMIT && headers['transfer-encoding'] === undefined;
}
