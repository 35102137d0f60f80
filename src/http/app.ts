export type { AppDeps, HttpSettings } from './context';

import { Hono } from 'hono';
import { createAuthService } from '../core/auth-service';
import { createEmailService } from '../core/email-service';
import { createPasskeyService } from '../core/passkey-service';
import { clientKey } from '../core/throttle';
import { randomToken } from '../core/token-crypto';
import { passkeysFor } from '../core/webauthn';
import { BODY_LIMIT, earlierFailure, readWebBody } from './body';
import type { AfterResponse, AppDeps, AppEnv, RouteContext } from './context';
import { corsHeaders } from './cors';
import { classify, sendError } from './errors';
import { createQuickPaths, type QuickPaths } from './quick-paths';
import { ROUTES } from './routes';
import { accountRoutes } from './routes/accounts';
import { emailRoutes } from './routes/email';
import { messageRoutes } from './routes/messages';
import { passkeyRoutes } from './routes/passkeys';
import { secondFactorRoutes } from './routes/second-factor';
import { serviceRoutes } from './routes/service';
import { sessionRoutes } from './routes/sessions';
import { tokenRoutes } from './routes/tokens';
import { securityHeaders } from './security-headers';
import { cookieSettings } from './token-sources';

/** Without a runtime's own way: the work starts once the route has returned its answer. */
const startLater: AfterResponse = async (_c, work) => {
  setTimeout(() => void work(), 0);
};

/** The app, and the common cases of POST /verify and POST /login without the framework (see quick-paths.ts). */
export type GatehouseApp = Hono<AppEnv> & { readonly quick: QuickPaths };

export function createApp(deps: AppDeps): GatehouseApp {
  const { settings, logger } = deps;
  const email = createEmailService({ ...deps, settings: settings.email });
  const auth = createAuthService({ ...deps, addressConfirmation: email.registration });
  const anyOrigin = settings.corsOrigins.includes('*');

  const passkeys = createPasskeyService({ ...deps, passkeys: settings.passkeys ?? passkeysFor(settings.issuer) });

  const context: RouteContext = {
    auth,
    email,
    afterResponse: deps.afterResponse ?? startLater,
    passkeys,
    deps,
    cookie: cookieSettings(settings.issuer),
    trustedOrigins: new Set([new URL(settings.issuer).origin, ...(anyOrigin ? [] : settings.corsOrigins)]),
    caller: (c) => ({ client: clientKey(deps.clientAddress?.(c)), userAgent: c.req.header('user-agent'), requestId: c.get('requestId') }),
    readBody: deps.readBody ?? readWebBody,
  };

  const app = new Hono<AppEnv>();
  // A configuration error is said once, plainly; every request it fails still answers 503.
  const reported = new Set<string>();
  const reportMisconfiguration = (error: string, requestId: string) => {
    if (reported.has(error)) return;
    reported.add(error);
    logger.error('store misconfigured', { requestId, error });
  };

  // Unique per process start and cheap per request: a random prefix and a counter.
  const idPrefix = randomToken(6);
  let requests = 0;
  const nextRequestId = () => `${idPrefix}${(++requests).toString(36)}`;
  app.use('*', async (c, next) => {
    // A request a quick path began and failed is timed, named and answered as the one request it is.
    const earlier = earlierFailure(c);
    const started = earlier?.started ?? performance.now();
    // On Lambda the request id is Lambda's own, so logs and the response header match CloudWatch.
    const requestId =
      (c.env as { lambdaContext?: { awsRequestId?: string } } | undefined)?.lambdaContext?.awsRequestId ?? earlier?.requestId ?? nextRequestId();
    c.set('requestId', requestId);
    c.set('readBody', earlier ? () => Promise.reject(earlier.error) : () => context.readBody(c, BODY_LIMIT));
    c.header('X-Request-Id', requestId);
    await next();
    logger.info('request', {
      requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
  });
  app.use('*', securityHeaders(context.cookie.secure));
  app.use('*', corsHeaders({ origins: settings.corsOrigins }));
  deps.site?.(app);
  accountRoutes(app, context);
  tokenRoutes(app, context);
  sessionRoutes(app, context);
  secondFactorRoutes(app, context);
  emailRoutes(app, context);
  passkeyRoutes(app, context);
  messageRoutes(app, context);
  serviceRoutes(app, context);

  // A known path with another method is a 405, not a 404.
  for (const path of new Set(ROUTES.map((route) => route.path))) {
    app.all(path, (c) => sendError(c, 'method_not_allowed', `${c.req.method} is not allowed on ${path}`));
  }
  app.notFound((c) => sendError(c, 'not_found'));
  app.onError((error, c) => {
    const known = classify(error);
    if (known) {
      if (known.code === 'store_unavailable' || known.code === 'key_service_unavailable' || known.code === 'mail_unavailable') {
        logger.warn(known.code.replace(/_/g, ' '), { requestId: c.get('requestId'), error: String(error) });
      }
      if (known.code === 'store_misconfigured') reportMisconfiguration(String(error), c.get('requestId'));
      return sendError(c, known.code, known.message, known.field, known.retryAfter);
    }
    logger.error('unhandled error', {
      requestId: c.get('requestId'),
      route: c.req.routePath,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return sendError(c, 'internal_error');
  });
  return Object.assign(app, { quick: createQuickPaths(deps, auth, context.cookie, nextRequestId) });
}
