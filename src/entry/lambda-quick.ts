import type { GatehouseApp } from '../http/app';
import { BODY_LIMIT, EARLIER_FAILURE, EarlierFailure } from '../http/body';

/** An HTTP API or function URL event (payload format 2.0), as far as POST /verify's common case reads it. */
interface EventV2 {
  version?: unknown;
  rawPath?: unknown;
  rawQueryString?: unknown;
  cookies?: unknown;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  isBase64Encoded?: unknown;
  requestContext?: { http?: { method?: unknown } };
  [EARLIER_FAILURE]?: EarlierFailure;
}

export interface QuickLambdaResult {
  readonly statusCode: 200;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

/**
 * POST /verify's common case on Lambda (HTTP API and function URLs), answered by the app's own
 * quick path without building a Web Request: the first such request of a container would
 * otherwise load the runtime's fetch classes first, a fifth of a cold start. Only a request that
 * can be nothing but that case is tried — no cookie, no query string, a JSON body within the
 * limit — and the result has the shape hono/aws-lambda gives (lower-case header
 * names). Undefined: the caller hands the event to the app as always. A failure (a refused token,
 * a store that did not answer) is kept on the event, so the app answers it without asking again.
 */
export async function quickLambdaVerify(app: GatehouseApp, raw: unknown, requestId: string | undefined): Promise<QuickLambdaResult | undefined> {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const event = raw as EventV2;
  if (event.version !== '2.0' || event.rawPath !== '/verify' || event.requestContext?.http?.method !== 'POST') return undefined;
  if (event.rawQueryString || (Array.isArray(event.cookies) && event.cookies.length > 0)) return undefined;
  const headers = event.headers ?? {};
  if (headers.cookie !== undefined) return undefined;
  const type = headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(?:;|$)/i.test(type)) return undefined;
  if (event.body !== undefined && typeof event.body !== 'string') return undefined;
  const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(body) > BODY_LIMIT) return undefined;
  const started = performance.now();
  let answer: Awaited<ReturnType<GatehouseApp['quick']['verify']>>;
  try {
    answer = await app.quick.verify({ body, authorization: headers.authorization, origin: headers.origin, requestId });
  } catch (error) {
    event[EARLIER_FAILURE] = EarlierFailure.of(error, started, requestId);
    return undefined;
  }
  if (!answer) return undefined;
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) lower[name.toLowerCase()] = value;
  return { statusCode: answer.status, headers: lower, body: answer.body, isBase64Encoded: false };
}
