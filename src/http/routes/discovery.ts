import type { Hono } from 'hono';
import { StoreUnavailableError } from '../../store/store';
import { errorBody } from '../errors';
import type { Env, RouteContext } from '../app';

export function discoveryRoutes(app: Hono<Env>, { deps }: RouteContext): void {
  const { issuer } = deps.settings;

  app.get('/health', async (c) => {
    try {
      await deps.store.ping();
      return c.json({ status: 'ok' });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) deps.logger.error('health check failed', { error: String(error) });
      const { body } = errorBody('store_unavailable');
      return c.json({ status: 'unavailable', ...body }, 503);
    }
  });

  app.get('/.well-known/jwks.json', async (c) => {
    const jwks = await deps.keys.jwks();
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(jwks);
  });

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
