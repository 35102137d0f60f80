import type { Context, Hono } from 'hono';
import { StoreMisconfiguredError, StoreUnavailableError } from '../../store/store';
import type { AppEnv, RouteContext } from '../context';
import { errorBody } from '../errors';

/** Service: health, public keys and discovery, and the API's own description. */
export function serviceRoutes(app: Hono<AppEnv>, { deps }: RouteContext): void {
  const { issuer } = deps.settings;

  app.get('/health', async (c) => {
    try {
      await deps.store.ping();
      return c.json({ status: 'ok' });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) deps.logger.error('health check failed', { error: String(error) });
      const { body } = errorBody(error instanceof StoreMisconfiguredError ? 'store_misconfigured' : 'store_unavailable');
      return c.json({ status: 'unavailable', ...body }, 503);
    }
  });

  app.get('/.well-known/jwks.json', async (c) => {
    const jwks = await deps.keys.jwks();
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(jwks);
  });

  // Loaded and built on first request, not at start-up: a cold start does not pay for the
  // description, its schemas or the docs page.
  let document: Promise<Record<string, unknown>> | undefined;
  app.get('/openapi.json', async (c) => {
    document ??= import('../openapi').then(({ openApiDocument }) => openApiDocument(issuer));
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(await document);
  });
  const docs = () => Promise.all([import('../docs-page'), import('../docs-script')]).then(([page, script]) => ({ ...page, ...script }));
  type Docs = Awaited<ReturnType<typeof docs>>;
  // The docs page runs its own script and style from this origin, and nothing else (its icon is inline).
  const page = (pick: (d: Docs) => string, type: string) => async (c: Context<AppEnv>) => {
    const body = pick(await docs());
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(body, 200, { 'Content-Type': type });
  };
  app.get(
    '/docs',
    page((d) => d.DOCS_HTML, 'text/html; charset=utf-8'),
  );
  app.get(
    '/docs/docs.js',
    page((d) => d.DOCS_JS, 'text/javascript; charset=utf-8'),
  );
  app.get(
    '/docs/docs.css',
    page((d) => d.DOCS_CSS, 'text/css; charset=utf-8'),
  );

  app.get('/.well-known/openid-configuration', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['none'],
      subject_types_supported: ['public'],
      response_types_supported: ['token'],
      claims_supported: ['iss', 'aud', 'sub', 'sid', 'iat', 'exp'],
    });
  });
}
