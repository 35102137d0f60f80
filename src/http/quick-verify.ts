import type { AuthService } from '../core/auth-service';
import { parseJsonObject } from './body';
import type { AppDeps } from './context';
import { corsHeaderList } from './cors';
import { tokenBody } from './schemas';
import { securityHeaderList } from './security-headers';
import { bearerToken } from './token-sources';

/** A POST /verify as a runtime hands it over: the raw body and the two headers that may carry the token. */
export interface QuickVerifyRequest {
  readonly body: string;
  readonly authorization?: string | undefined;
  /** A browser page's Origin: the CORS headers are the ones the app would send it. */
  readonly origin?: string | undefined;
  /** The runtime's own request id (Lambda's), else the app's next one. */
  readonly requestId?: string | undefined;
}

export interface QuickAnswer {
  readonly status: 200;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * POST /verify's common case — a JSON body or a bearer token, no cookie, a token that holds —
 * answered without the framework: the same checks (the body's schema, `authenticate`),
 * the same body and the same headers as the route, built from the same lists. Anything else
 * (a refusal, a cookie, a body that is not a JSON object) is undefined: the caller hands the
 * request to the app, which answers it as always. A browser's Origin gets the CORS headers the app
 * would give it.
 */
export function createQuickVerify(
  deps: Pick<AppDeps, 'logger' | 'settings'>,
  auth: AuthService,
  secure: boolean,
  nextRequestId: () => string,
): (request: QuickVerifyRequest) => Promise<QuickAnswer | undefined> {
  const security = securityHeaderList(secure);
  const fixed: [string, string][] = [...security, ...corsHeaderList({ origins: deps.settings.corsOrigins }, undefined)];
  return async ({ body, authorization, origin, requestId: given }) => {
    const started = performance.now();
    const json = parseJsonObject(body);
    if (!json) return undefined;
    const parsed = tokenBody.safeParse(json);
    if (!parsed.success) return undefined;
    const fromBody = parsed.data.token;
    const token = fromBody ?? bearerToken(authorization);
    if (!token) return undefined;
    const result = await auth.authenticate(token, parsed.data.username);
    if (!result.ok) return undefined;
    const requestId = given ?? nextRequestId();
    const headers: Record<string, string> = { 'X-Request-Id': requestId };
    const listed = origin === undefined ? fixed : [...security, ...corsHeaderList({ origins: deps.settings.corsOrigins }, origin)];
    for (const [name, value] of listed) headers[name] = value;
    headers['Content-Type'] = 'application/json';
    const answer = JSON.stringify({ verified: true, message: 'success', username: result.username, amr: result.amr, token });
    deps.logger.info('request', { requestId, method: 'POST', route: '/verify', status: 200, ms: Math.round((performance.now() - started) * 100) / 100 });
    return { status: 200, headers, body: answer };
  };
}
