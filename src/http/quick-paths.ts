import type { AuthService } from '../core/auth-service';
import { AuthError } from '../core/errors';
import { clientKey } from '../core/throttle';
import { EarlierFailure, parseJsonObject } from './body';
import type { AppDeps } from './context';
import { corsHeaderList } from './cors';
import { loginAnswer, secondStepAnswer } from './login-answers';
import { loginBody, tokenBody } from './schemas';
import { securityHeaderList } from './security-headers';
import { bearerToken, type CookieSettings, sessionCookieHeader } from './token-sources';

/** A POST /verify as a runtime hands it over: the raw body and the two headers that may carry the token. */
export interface QuickVerifyRequest {
  readonly body: string;
  readonly authorization?: string | undefined;
  /** A browser page's Origin: the CORS headers are the ones the app would send it. */
  readonly origin?: string | undefined;
  /** The runtime's own request id (Lambda's), else the app's next one. */
  readonly requestId?: string | undefined;
}

/** A POST /login with no cookie: the raw body, who sent it, and the page it names, if any. */
export interface QuickLoginRequest {
  readonly body: string;
  /** A browser page's Origin or Referer: such a login is left to the app and its cookie rule. */
  readonly origin: string | undefined;
  readonly referer: string | undefined;
  /** The caller's network address, read as the app reads it. */
  readonly address: string | undefined;
  readonly userAgent: string | undefined;
}

export interface QuickAnswer {
  readonly status: 200;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface QuickPaths {
  /**
   * POST /verify's common case — a JSON body or a bearer token, no cookie, a token that holds —
   * answered without the framework. Anything else (a cookie, a body that is not a JSON object, no
   * token) is undefined: the caller hands the request to the app, which answers it as always. A
   * token refused, or a store or key service that fails, rejects with an EarlierFailure, for the
   * app to answer without checking the token again.
   */
  verify(request: QuickVerifyRequest): Promise<QuickAnswer | undefined>;
  /**
   * POST /login from a client that is not a browser page (no Origin, no Referer), answered without
   * the framework when it succeeds: the tokens (and the cookie the app hands such a caller), or the
   * second step. A body that is not a login's is undefined before anything is done, for the app to
   * refuse; once the login has begun, any failure (a wrong password, a limit, the store) rejects
   * with an EarlierFailure, for the app to answer as its own without doing the login again, under
   * the login's request id and timed from its start.
   */
  login(request: QuickLoginRequest): Promise<QuickAnswer | undefined>;
}

/**
 * The common cases of the two hottest routes, answered without the framework: the same checks (the
 * body's schema), the same core call, the same body and the same headers as the routes, built from
 * the same lists, and the same request log line.
 */
export function createQuickPaths(
  deps: Pick<AppDeps, 'logger' | 'settings'>,
  auth: AuthService,
  cookie: CookieSettings,
  nextRequestId: () => string,
): QuickPaths {
  const security = securityHeaderList(cookie.secure);
  const fixed: [string, string][] = [...security, ...corsHeaderList({ origins: deps.settings.corsOrigins }, undefined)];
  const answer = (route: string, started: number, requestId: string, body: object, origin?: string, cookieHeader?: string): QuickAnswer => {
    const headers: Record<string, string> = { 'X-Request-Id': requestId };
    const listed = origin === undefined ? fixed : [...security, ...corsHeaderList({ origins: deps.settings.corsOrigins }, origin)];
    for (const [name, value] of listed) headers[name] = value;
    if (cookieHeader) headers['Set-Cookie'] = cookieHeader;
    headers['Content-Type'] = 'application/json';
    const text = JSON.stringify(body);
    deps.logger.info('request', { requestId, method: 'POST', route, status: 200, ms: Math.round((performance.now() - started) * 100) / 100 });
    return { status: 200, headers, body: text };
  };

  return {
    async verify({ body, authorization, origin, requestId }) {
      const started = performance.now();
      const json = parseJsonObject(body);
      if (!json) return undefined;
      const parsed = tokenBody.safeParse(json);
      if (!parsed.success) return undefined;
      const token = parsed.data.token ?? bearerToken(authorization);
      if (!token) return undefined;
      const result = await EarlierFailure.from(auth.authenticate(token, parsed.data.username), started, requestId);
      // The route's refusal is this error's answer; the app gives it without checking the token again.
      if (!result.ok) throw new EarlierFailure(new AuthError(result.code), started, requestId);
      return answer(
        '/verify',
        started,
        requestId ?? nextRequestId(),
        { verified: true, message: 'success', username: result.username, amr: result.amr, token },
        origin,
      );
    },

    async login({ body, origin, referer, address, userAgent }) {
      const started = performance.now();
      // Not from a browser page: the case in which the route's rule (originMayHoldCookie) hands the cookie.
      if (origin !== undefined || referer !== undefined) return undefined;
      const json = parseJsonObject(body);
      if (!json) return undefined;
      const parsed = loginBody.safeParse(json);
      if (!parsed.success) return undefined;
      const requestId = nextRequestId();
      const caller = { client: clientKey(address), userAgent, requestId };
      const result = await EarlierFailure.from(auth.login(parsed.data.username, parsed.data.password, caller), started, requestId);
      if ('mfaRequired' in result) return answer('/login', started, requestId, secondStepAnswer(result));
      return answer('/login', started, requestId, loginAnswer(result), undefined, sessionCookieHeader(cookie, result.token, result.expiresIn));
    },
  };
}
