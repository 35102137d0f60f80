import { SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { MailConfig } from './mail-config';

/**
 * The SES client for the configured region and endpoint: a few seconds to connect and to answer,
 * and one retry (SendEmail has no idempotency token, so every retry risks a second copy of a mail
 * whose answer was lost; one is worth that for throttling and 5xx).
 */
export function createSesClient(config: Extract<MailConfig, { kind: 'ses' }>, extra: SESv2ClientConfig = {}): SESv2Client {
  return new SESv2Client({
    ...(config.region ? { region: config.region } : config.localCredentials ? { region: 'us-east-1' } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.localCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true }),
    ...extra,
  });
}
