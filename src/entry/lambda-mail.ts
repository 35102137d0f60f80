import type { MailSender } from '../core/mail';
import { loadMailConfig, type MailConfig } from '../mail/mail-config';
import { ConfigError } from './config';
import type { ProcessEnv } from './process-env';

/**
 * Mail on Lambda: Amazon SES only (AUTH_MAIL=ses, the default there), so the bundle carries the
 * SES client and none of nodemailer's transports. The client is made with the first message, so
 * an invocation that sends none never loads it. Bad or missing settings are a ConfigError naming
 * the variable.
 */
export function lambdaMailSender(env: ProcessEnv): { mailer: MailSender; config: MailConfig } {
  const config: MailConfig = loadMailConfig(env);
  if (config.kind !== 'ses') throw new ConfigError(`Invalid configuration: AUTH_MAIL=${JSON.stringify(config.kind)}: only 'ses' runs on Lambda`);
  const ses = config;
  let sender: Promise<MailSender> | undefined;
  const load = async (): Promise<MailSender> => {
    const [{ sesMail }, { createSesClient }] = await Promise.all([import('../mail/ses-mail'), import('../mail/ses-client')]);
    return sesMail({ client: createSesClient(ses), from: ses.from });
  };
  return {
    config,
    mailer: {
      async send(message) {
        sender ??= load();
        await (await sender).send(message);
      },
    },
  };
}
