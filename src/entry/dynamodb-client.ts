import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { STALL_DEFAULTS, stallWatchdog } from '../store/stall-watchdog';
import type { ProcessEnv } from './process-env';

/** Sockets per endpoint: the SDK's default, which measured best under a burst (see the README). */
const SOCKETS = 50;

export interface DynamoClients {
  readonly client: DynamoDBClient;
  readonly document: DynamoDBDocumentClient;
  /** The endpoint override (DynamoDB Local), if any. */
  readonly endpoint: string | undefined;
}

const isLocal = (endpoint: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);

/**
 * One client per process, with keep-alive and a stall watchdog instead of one fixed timeout: an
 * attempt is given up after 2 s when nothing at all has answered for 1.5 s (a dead or hung store:
 * 503 within 3 s), or after 5 s whatever else answers (a lost answer, then retried); while
 * other requests are being answered, the store is slow, not dead, and requests wait for it.
 * Failures that come fast (refused or cut connections, 5xx) get up to two more attempts with
 * jittered exponential back-off; every write is idempotent, so a retry of one that landed is
 * recognised. The numbers are measured: see the README's design section.
 */
export function createDynamoClients(env: ProcessEnv): DynamoClients {
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const local = endpoint !== undefined && isLocal(endpoint);
  const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    // DynamoDB Local accepts any credentials and any region; AWS needs real ones from the environment.
    ...(local && !env.AWS_REGION && !env.AWS_DEFAULT_REGION ? { region: 'us-east-1' } : {}),
    ...(local && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
    requestHandler: stallWatchdog(
      new NodeHttpHandler({
        connectionTimeout: 1_000,
        requestTimeout: STALL_DEFAULTS.limitMs + 1_000,
        throwOnRequestTimeout: true,
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: SOCKETS }),
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: SOCKETS }),
      }),
    ),
  });
  const document = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, document, endpoint };
}

export const isLocalEndpoint = (endpoint: string | undefined): boolean => endpoint !== undefined && isLocal(endpoint);
