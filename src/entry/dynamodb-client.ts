import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClients {
  readonly client: DynamoDBClient;
  readonly document: DynamoDBDocumentClient;
  /** The endpoint override (DynamoDB Local), if any. */
  readonly endpoint: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const isLocal = (endpoint: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);

/**
 * One client per process, with keep-alive, short timeouts and one retry: a dead store is noticed
 * within about 2.5 s (two attempts of at most 1 s, with a short back-off between them), not after
 * the SDK's default of minutes.
 */
export function createDynamoClients(env: Env): DynamoClients {
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const local = endpoint !== undefined && isLocal(endpoint);
  const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    // DynamoDB Local accepts any credentials and any region; AWS needs real ones from the environment.
    ...(local && !env.AWS_REGION && !env.AWS_DEFAULT_REGION ? { region: 'us-east-1' } : {}),
    ...(local && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true, httpsAgent: { keepAlive: true }, httpAgent: { keepAlive: true } },
  });
  const document = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, document, endpoint };
}

export const isLocalEndpoint = (endpoint: string | undefined): boolean => endpoint !== undefined && isLocal(endpoint);
