import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Amazon SES v2 API, enough for `SendEmail` as AWS documents it:
 * REST-JSON, `POST /v2/email/outbound-emails`, a JSON body, SigV4-signed by the SDK; it answers
 * `{"MessageId": …}`. It records every request (method, path, headers, parsed body), and can be
 * told to answer an error the way AWS does: the status, `x-amzn-ErrorType` and `{"message"}`.
 */

export const SEND_EMAIL_PATH = '/v2/email/outbound-emails';

export interface SesRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface SesFailure {
  readonly status: number;
  /** The error's name, e.g. `MessageRejected`, `TooManyRequestsException`, `InternalFailure`. */
  readonly type: string;
  readonly message?: string;
}

export interface SesEndpoint {
  readonly url: string;
  readonly requests: readonly SesRequest[];
  /** Answer every following request with this error; `undefined` goes back to success. */
  failWith(failure: SesFailure | undefined): void;
  close(): Promise<void>;
}

export async function startSesEndpoint(): Promise<SesEndpoint> {
  const requests: SesRequest[] = [];
  let failure: SesFailure | undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // kept as text: the test sees what was sent
      }
      const path = req.url ?? '';
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });

      const answer = (status: number, payload: unknown, errorType?: string) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-amzn-requestid': randomUUID(),
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(JSON.stringify(payload));
      };
      if (failure) return answer(failure.status, { message: failure.message ?? failure.type }, failure.type);
      if (req.method !== 'POST' || path !== SEND_EMAIL_PATH) return answer(404, { message: `No route for ${req.method} ${path}` }, 'NotFoundException');
      answer(200, { MessageId: `0100${Date.now().toString(16)}-${randomUUID()}-000000` });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failWith(next) {
      failure = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
