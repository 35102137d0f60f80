import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { systemClock } from '../core/clock';
import { signingKeys } from '../core/signing-keys';
import { createTokenVerifier } from '../core/token-verifier';
import { bearerToken, cookieSettings } from '../http/token-sources';
import { lambdaConfig, once } from './lambda-init';
import { openDynamoStore } from './open-dynamodb-store';

/**
 * API Gateway Lambda authorizer for your own routes. REST APIs (TOKEN and REQUEST) get an IAM
 * policy; HTTP APIs with payload 2.0 get the simple response. A token passes only while its
 * session exists, so a logged-out token is refused at once (unless API Gateway caches answers).
 */
const ready = once(async () => {
  const { config, logger } = lambdaConfig(process.env);
  const { store } = await openDynamoStore(config, process.env, systemClock, { createLocalTable: false });
  const authenticate = createTokenVerifier({ store, clock: systemClock, keys: signingKeys({ store, clock: systemClock }), settings: config });
  return { authenticate, logger, cookie: cookieSettings(config.issuer).name };
});

/**
 * What your route sees: `amr` is how the session was authenticated, space-separated (`pwd`,
 * `pwd otp`, `webauthn`), since a REST authorizer's context holds only strings, numbers and booleans.
 */
type Context = { username: string; sid: string; amr: string };
type AnyEvent = APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent | APIGatewayRequestAuthorizerEventV2;

const headerOf = (headers: Record<string, string | undefined> | null | undefined, name: string) =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

function cookieValue(cookies: readonly string[], name: string): string | undefined {
  for (const header of cookies) {
    for (const part of header.split(';')) {
      const [key, ...rest] = part.trim().split('=');
      // A JWT is base64url and is never escaped; a value that needs decoding is not a token.
      if (key === name && rest.length) return rest.join('=');
    }
  }
  return undefined;
}

function tokenOf(event: AnyEvent, cookieName: string): string | undefined {
  if (event.type === 'TOKEN') return bearerToken(event.authorizationToken);
  const headers = event.headers as Record<string, string | undefined> | null;
  const fromHeader = bearerToken(headerOf(headers, 'authorization'));
  if (fromHeader) return fromHeader;
  const cookies = 'cookies' in event && Array.isArray(event.cookies) ? event.cookies : [headerOf(headers, 'cookie') ?? ''];
  return cookieValue(cookies, cookieName);
}

/** Every method and path of the same API and stage, so a cached Allow serves every route. */
function wholeApi(methodArn: string): string {
  const [arn, stage] = methodArn.split('/');
  return `${arn}/${stage}/*`;
}

export async function handler(
  event: AnyEvent,
): Promise<APIGatewayAuthorizerResult | APIGatewaySimpleAuthorizerResult | APIGatewaySimpleAuthorizerWithContextResult<Context>> {
  const { authenticate, logger, cookie } = await ready();
  const token = tokenOf(event, cookie);
  const result = token ? await authenticate(token) : undefined;
  const isHttpApi = 'version' in event && event.version === '2.0';

  if (!result?.ok) {
    logger.info('authorizer refused', { reason: result ? result.code : 'missing_token' });
    if (isHttpApi) return { isAuthorized: false };
    // The one error message API Gateway turns into 401 Unauthorized.
    throw new Error('Unauthorized');
  }
  const context: Context = { username: result.username, sid: result.sid, amr: result.amr.join(' ') };
  if (isHttpApi) return { isAuthorized: true, context };
  return {
    principalId: result.username,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApi((event as { methodArn: string }).methodArn) }],
    },
    context,
  };
}
