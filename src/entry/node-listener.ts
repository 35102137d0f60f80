import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { GatehouseApp } from '../http/app';
import { BODY_LIMIT, EARLIER_FAILURE, EarlierFailure } from '../http/body';
import type { QuickAnswer } from '../http/quick-paths';
import { BUFFERED_BODY, type BufferedIncoming } from './node-body';

/**
 * The Node server's request listener: the app, with the common cases of POST /verify and POST
 * /login answered first by the app's own quick paths (no Web Request, no middleware chain). Only a
 * request that cannot be anything but such a case is tried: no Origin, no cookie, a plain Host, a
 * JSON body of a declared length within the limit (and a login names no page by its Referer
 * either). When a quick path declines, the body already read goes on to the app with it; when it
 * fails (a refused login or token, a store that did not answer), the app answers that failure
 * without doing the work again.
 * `address` reads the caller's address from the request as the app's own rule does.
 */
export function nodeListener(app: GatehouseApp, address: (req: IncomingMessage) => string | undefined): (req: IncomingMessage, res: ServerResponse) => void {
  const full = getRequestListener(app.fetch);
  const quick = (req: IncomingMessage, body: string): Promise<QuickAnswer | undefined> =>
    req.url === '/login'
      ? app.quick.login({
          body,
          origin: req.headers.origin,
          referer: req.headers.referer,
          address: address(req),
          // Every User-Agent the client sent, joined as the framework's headers join them (Node's keep the first).
          userAgent: req.headersDistinct['user-agent']?.join(', '),
        })
      : app.quick.verify({ body, authorization: req.headers.authorization });
  return (req, res) => {
    if (!quickCandidate(req)) {
      full(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', () => full(req, res));
    req.once('end', () => {
      const started = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      quick(req, body).then(
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
          (req as BufferedIncoming)[EARLIER_FAILURE] = EarlierFailure.of(error, started);
          full(req, res);
        },
      );
    });
  };
}

function quickCandidate(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || (req.url !== '/verify' && req.url !== '/login')) return false;
  const { headers } = req;
  // A Host the framework would refuse (missing, or not a host) is left to it, to refuse.
  if (headers.origin !== undefined || headers.cookie !== undefined || !plainHost(headers.host)) return false;
  const type = headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(?:;|$)/i.test(type)) return false;
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length >= 0 && length <= BODY_LIMIT && headers['transfer-encoding'] === undefined;
}

/** A Host header the framework accepts: a name or an IPv4 or bracketed IPv6 address, and a port. */
function plainHost(host: string | undefined): boolean {
  return host !== undefined && /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host);
}
