import type { MiddlewareHandler } from 'hono';

export interface CorsSettings {
  /** ['*'] allows any origin, without credentials; a list allows those origins, with credentials. */
  readonly origins: readonly string[];
}

const ALLOW_METHODS = 'GET,POST,DELETE,OPTIONS';
const ALLOW_HEADERS = 'Content-Type,Authorization';
const EXPOSE_HEADERS = 'Retry-After,X-Request-Id';
const MAX_AGE = '600';

/**
 * CORS, answering preflight (OPTIONS) on every route. Headers are staged before the handler runs,
 * so the response is built once with all of them.
 */
export function corsHeaders({ origins }: CorsSettings): MiddlewareHandler {
  const any = origins.includes('*');
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = any ? '*' : origin && origins.includes(origin) ? origin : undefined;
    for (const [name, value] of corsHeaderList({ origins }, origin)) c.header(name, value);
    if (c.req.method === 'OPTIONS') {
      if (allowed) {
        c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
        c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
        c.header('Access-Control-Max-Age', MAX_AGE);
      }
      return c.body(null, 204);
    }
    await next();
  };
}

/** The CORS headers of an answer (not a preflight) to a request from `origin`, if any. */
export function corsHeaderList({ origins }: CorsSettings, origin: string | undefined): [string, string][] {
  const any = origins.includes('*');
  const allowed = any ? '*' : origin && origins.includes(origin) ? origin : undefined;
  const headers: [string, string][] = [];
  if (allowed) {
    headers.push(['Access-Control-Allow-Origin', allowed]);
    if (!any) headers.push(['Access-Control-Allow-Credentials', 'true']);
    headers.push(['Access-Control-Expose-Headers', EXPOSE_HEADERS]);
  }
  if (!any) headers.push(['Vary', 'Origin']);
  return headers;
}
