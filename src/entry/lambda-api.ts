import type { Context } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { systemClock } from '../core/clock';
import { signingKeys } from '../core/signing-keys';
import type { AppEnv } from '../http/context';
import { answerAtFixedTime } from './after-response';
import { createHttpApp } from './build-app';
import { lambdaClientAddress } from './client-address';
import { ConfigError } from './config';
import { keyVaultFromEnv } from './key-vault-setup';
import { lambdaConfig, once } from './lambda-init';
import { lambdaMailSender } from './lambda-mail';
import { quickLambdaVerify } from './lambda-quick';
import { openDynamoStore } from './open-dynamodb-store';

/**
 * The API on Lambda: API Gateway REST (v1 proxy), HTTP API (v2), function URLs, and the tutorial's
 * non-proxy mapping-template event.
 */
const ready = once(async () => {
  const { config, logger } = lambdaConfig(process.env);
  if (!process.env.AUTH_KMS_KEY_ID && !process.env.AUTH_KEY_ENCRYPTION_KEY) {
    const message = 'Invalid configuration: AUTH_KMS_KEY_ID is required on Lambda (the key that seals the signing keys)';
    logger.error(message);
    throw new ConfigError(message);
  }
  let mailer: ReturnType<typeof lambdaMailSender>['mailer'];
  try {
    ({ mailer } = lambdaMailSender(process.env));
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message);
    throw error;
  }
  const { store } = await openDynamoStore(config, process.env, systemClock, { createLocalTable: false });
  const { vault } = keyVaultFromEnv(process.env, systemClock);
  const keys = signingKeys({ store, clock: systemClock, vault });
  const app = createHttpApp(
    config,
    store,
    logger,
    systemClock,
    { vault, keys },
    {
      clientAddress: lambdaClientAddress,
      mailer,
      afterResponse: answerAtFixedTime(config.forgotAnswerMs, logger),
    },
  );
  const rotate = async () => {
    // The app's own keys: this container's JWKS shows the new key at once.
    const rotation = await keys.rotate(config.accessTokenTtl);
    logger.info('signing key rotated', {
      kid: rotation.kid,
      activatesAt: new Date(rotation.activatesAt).toISOString(),
      retiring: rotation.retiring.map((r) => r.kid),
    });
    return rotation;
  };
  return { app, proxy: handle(app), rotate };
});

/** What the tutorial's VTL mapping template sends: flat fields, "" for a field the client left out. */
interface MappingTemplateEvent {
  httpMethod: string;
  path: string;
  username?: string;
  name?: string;
  password?: string;
  token?: string;
  email?: string;
  /** Add `"sourceIp": "$context.identity.sourceIp"` to the template to get per-client limits. */
  sourceIp?: string;
}

const FIELDS = ['username', 'name', 'password', 'token', 'email'] as const;

function isMappingTemplateEvent(event: unknown): event is MappingTemplateEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  return typeof e.httpMethod === 'string' && typeof e.path === 'string' && !('requestContext' in e) && !('headers' in e);
}

/**
 * Answers a mapping-template event the way the tutorial's own handler did: an object with
 * statusCode, headers and the JSON body as an object (a non-proxy integration passes it through).
 */
async function answerMappingTemplate(app: Hono<AppEnv>, event: MappingTemplateEvent) {
  const body: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = event[field];
    if (typeof value === 'string' && value !== '') body[field] = value;
  }
  const method = event.httpMethod.toUpperCase();
  const res = await app.request(
    event.path,
    {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: JSON.stringify(body) }),
    },
    { sourceIp: event.sourceIp },
  );
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  // JSON answers as an object, the way the tutorial's handler gave them; anything else (the docs
  // page, its script) as the text it is, with its own type.
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    return { statusCode: res.status, headers: { 'Content-Type': type || 'text/plain' }, body: text };
  }
  return { statusCode: res.status, headers: { 'Content-Type': 'application/json' }, body: text ? (JSON.parse(text) as unknown) : {} };
}

/** The stack's schedule sends this to make a new signing key. */
const isRotation = (event: unknown) => typeof event === 'object' && event !== null && (event as { gatehouse?: unknown }).gatehouse === 'rotate-keys';

export const handler = async (event: unknown, context: Context) => {
  const { app, proxy, rotate } = await ready();
  if (isRotation(event)) return rotate();
  if (isMappingTemplateEvent(event)) return answerMappingTemplate(app, event);
  return (await quickLambdaVerify(app, event, context?.awsRequestId)) ?? proxy(event as Parameters<typeof proxy>[0], context);
};
