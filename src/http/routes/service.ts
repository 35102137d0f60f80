import type { Context, Hono } from 'hono';
import { StoreMisconfiguredError, StoreUnavailableError } from '../../store/store';
import type { AppEnv, RouteContext } from '../context';
import { DOCS_CSS, DOCS_HTML } from '../docs-page';
import { DOCS_JS } from '../docs-script';
import { errorBody } from '../errors';
import { openApiDocument } from '../openapi';

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

  // Built on first request, not at start-up: a cold start does not pay for it.
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= openApiDocument(issuer);
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(document);
  });
  // The docs page runs its own script and style from this origin, and nothing else (its icon is inline).
  const page = (body: string, type: string) => (c: Context<AppEnv>) => {
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(body, 200, { 'Content-Type': type });
  };
  app.get('/docs', page(DOCS_HTML, 'text/html; charset=utf-8'));
  app.get('/docs/docs.js', page(DOCS_JS, 'text/javascript; charset=utf-8'));
  app.get('/docs/docs.css', page(DOCS_CSS, 'text/css; charset=utf-8'));

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
