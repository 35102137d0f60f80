import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Clock } from '../core/clock';
import type { MailSender, OutgoingMail } from '../core/mail';
import type { MailConfig } from './mail-config';

export interface MailSenderOptions {
  readonly clock?: Clock;
  /** An SES client to use instead of one made from the configuration. */
  readonly sesClient?: SESv2Client;
}

/**
 * A sender whose adapter is loaded with the first message: a process that sends no mail never
 * evaluates nodemailer or the SES client, which keeps them off a Lambda's cold start.
 */
function loadOnFirstSend(load: () => Promise<MailSender>): MailSender {
  let sender: Promise<MailSender> | undefined;
  return {
    async send(message: OutgoingMail): Promise<void> {
      sender ??= load();
      await (await sender).send(message);
    },
  };
}

/** The mail sender that the configuration names. Creates no connection until the first message. */
export function createMailSender(config: MailConfig, options: MailSenderOptions = {}): MailSender {
  switch (config.kind) {
    case 'file':
      return loadOnFirstSend(async () => {
        const { fileMail } = await import('./file-mail');
        return fileMail({ dir: config.dir, from: config.from, ...(options.clock ? { clock: options.clock } : {}) });
      });
    case 'smtp':
      return loadOnFirstSend(async () => (await import('./smtp-mail')).smtpMail({ url: config.url, from: config.from }));
    case 'ses':
      return loadOnFirstSend(async () => {
        const [{ sesMail }, { createSesClient }] = await Promise.all([import('./ses-mail'), import('./ses-client')]);
        return sesMail({ client: options.sesClient ?? createSesClient(config), from: config.from });
      });
  }
}
