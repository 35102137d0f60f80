import { Hono, type Context } from 'hono';
import { createAuth, type Auth, type AuthSettings, type Caller } from '../core/auth';
import { clientKey } from '../core/throttle';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PasswordCheck, PasswordHasher } from '../core/passwords';
import { randomToken } from '../core/random';
import type { SigningKeys } from '../core/signing-keys';
import type { Store } from '../store/store';
import { BODY_LIMIT, readWebBody, type BodyReader } from './body';
import { cookieSettings, type CookieSettings } from './credentials';
import { classify, sendError } from './errors';
import { accountRoutes } from './routes/accounts';
import { discoveryRoutes } from './routes/discovery';
import { messageRoutes } from './routes/messages';
import { sessionRoutes } from './routes/sessions';
import { ROUTES } from './routes';
import { tokenRoutes } from './routes/tokens';
import { securityHeaders } from './security-headers';
import { corsHeaders } from './cors';

export interface HttpSettings extends AuthSettings {
  /** Origins allowed by CORS; ['*'] allows any origin, without credentials. */
  readonly corsOrigins: readonly string[];
}

/** The network address of the caller, as the runtime knows it. */
export type ClientAddress = (c: Context<Env>) => string | undefined;


export interface AppDeps {
  readonly store: Store;
  /** Where the caller's address comes from; limits are counted per address. */
  readonly clientAddress?: ClientAddress;
  readonly readBody?: BodyReader;
  /** Routes served in front of the API (the web app's files, on the Node server). */
  readonly site?: (app: Hono<Env>) => void;
  readonly hasher: PasswordHasher;
  readonly passwords: PasswordCheck;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly logger: Logger;
  readonly settings: HttpSettings;
}

export type Env = { Variables: { requestId: string; readBody: () => Promise<string> } };

/** What each group of routes is handed. */
export interface RouteContext {
  readonly auth: Auth;
  readonly deps: AppDeps;
  readonly cookie: CookieSettings;
  /** Origins whose pages may send cookie-authenticated writes. */
  readonly trustedOrigins: ReadonlySet<string>;
  /** The caller, for limits and session records. */
  caller(c: Context<Env>): Caller;
  readBody: BodyReader;
}


export function createApp(deps: AppDeps): Hono<Env> {
  const { settings, logger } = deps;
  const auth = createAuth(deps);
  const anyOrigin = settings.corsOrigins.includes('*');

  const context: RouteContext = {
    auth,
    deps,
    cookie: cookieSettings(settings.issuer),
    trustedOrigins: new Set([new URL(settings.issuer).origin, ...(anyOrigin ? [] : settings.corsOrigins)]),
    caller: (c) => ({ client: clientKey(deps.clientAddress?.(c)), userAgent: c.req.header('user-agent') }),
    readBody: deps.readBody ?? readWebBody,
  };

  const app = new Hono<Env>();
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
  app.use('*', async (c, next) => {
    const started = performance.now();
    // On Lambda the request id is Lambda's own, so logs and the response header match CloudWatch.
    const requestId =
      (c.env as { lambdaContext?: { awsRequestId?: string } } | undefined)?.lambdaContext?.awsRequestId ?? `${idPrefix}${(++requests).toString(36)}`;
    c.set('requestId', requestId);
    c.set('readBody', () => context.readBody(c, BODY_LIMIT));
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
  messageRoutes(app, context);
  discoveryRoutes(app, context);

  // A known path with another method is a 405, not a 404.
  for (const path of new Set(ROUTES.map((route) => route.path))) {
    app.all(path, (c) => sendError(c, 'method_not_allowed', `${c.req.method} is not allowed on ${path}`));
  }
  app.notFound((c) => sendError(c, 'not_found'));
  app.onError((error, c) => {
    const known = classify(error);
    if (known) {
      if (known.code === 'store_unavailable') logger.warn('store unavailable', { requestId: c.get('requestId'), error: String(error) });
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
  return app;
}
