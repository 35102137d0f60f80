import { SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Clock } from '../core/clock';
import type { MailSender } from '../core/mail';
import { fileMail } from './file-mail';
import type { MailConfig } from './mail-config';
import { sesMail } from './ses-mail';
import { smtpMail } from './smtp-mail';

export interface MailSenderOptions {
  readonly clock?: Clock;
  /** An SES client to use instead of one made from the configuration. */
  readonly sesClient?: SESv2Client;
}

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

/** The mail sender that the configuration names. Creates no connection until the first message. */
export function createMailSender(config: MailConfig, options: MailSenderOptions = {}): MailSender {
  switch (config.kind) {
    case 'file':
      return fileMail({ dir: config.dir, from: config.from, ...(options.clock ? { clock: options.clock } : {}) });
    case 'smtp':
      return smtpMail({ url: config.url, from: config.from });
    case 'ses':
      return sesMail({ client: options.sesClient ?? createSesClient(config), from: config.from });
  }
}
