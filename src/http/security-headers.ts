import type { MiddlewareHandler } from 'hono';

/**
 * The same headers on every response, computed once and staged before the handler runs (so the
 * response is built once with them); a route that sets one of them itself — the web app's pages
 * set their own Content-Security-Policy, the JWKS its own Cache-Control — overrides it.
 */
export function securityHeaders(https: boolean): MiddlewareHandler {
  const headers = securityHeaderList(https);
  return async (c, next) => {
    for (const [name, value] of headers) c.header(name, value);
    await next();
  };
}

/** The headers themselves, for every way an answer is written. */
export function securityHeaderList(https: boolean): [string, string][] {
  return [
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'cross-origin'],
    ['Cache-Control', 'no-store'],
    ...(https ? ([['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']] as [string, string][]) : []),
  ];
}
