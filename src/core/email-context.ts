import type { Item, Store } from '../store/store';
import type { Clock } from './clock';
import { createEmailThrottle, type EmailLimits, type EmailThrottle } from './email-throttle';
import { type EmailTokenRecord, withdrawEmailToken } from './email-tokens';
import type { Logger } from './logger';
import type { MailSender, OutgoingMail } from './mail';
import type { MailContext } from './mail-templates';
import type { PasswordCheck, PasswordHasher } from './passwords';

/** What the email flows are configured with (SPEC §11). */
export interface EmailSettings {
  /** The web app that links point to (AUTH_APP_URL). */
  readonly appUrl: string;
  /** The service's name in subjects and signatures. */
  readonly appName: string;
  /** Seconds a link lives (AUTH_EMAIL_TOKEN_TTL). */
  readonly tokenTtl: number;
  readonly limits: EmailLimits;
}

export interface EmailDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly mailer: MailSender;
  readonly logger: Logger;
  readonly hasher: PasswordHasher;
  readonly passwords: PasswordCheck;
  readonly settings: EmailSettings;
}

/** What every flow shares: its dependencies, the mail throttle and the templates' context. */
export interface EmailContext extends EmailDeps {
  readonly throttle: EmailThrottle;
  readonly mail: MailContext;
}

/** Who asked: the client limits count against, and the request id failures are logged with. */
export interface EmailCaller {
  readonly client: string;
  readonly requestId?: string | undefined;
}

export function emailContext(deps: EmailDeps): EmailContext {
  const { settings } = deps;
  return {
    ...deps,
    throttle: createEmailThrottle(deps.store, deps.clock, settings.limits),
    mail: { appName: settings.appName, appUrl: settings.appUrl, linkTtlSeconds: settings.tokenTtl },
  };
}

/**
 * Sends a mail whose failure must not fail the request it belongs to (a notice, a registration's
 * link): a failure is logged with the request id, and answered false.
 */
export async function sendOrLog(ctx: EmailContext, message: OutgoingMail, what: string, caller: EmailCaller): Promise<boolean> {
  try {
    await ctx.mailer.send(message);
    return true;
  } catch (error) {
    ctx.logger.error('mail not sent', { requestId: caller.requestId, mail: what, error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

/**
 * Sends the mail that carries a new link. When it fails, the link is taken back before the error
 * goes on (a MailUnavailableError becomes 503 mail_unavailable), so no link is left live that
 * nobody was sent.
 */
export async function sendOrWithdraw(ctx: EmailContext, item: Item<EmailTokenRecord>, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    // The mail's failure is what the caller must hear, even when the store fails too.
    await withdrawEmailToken(ctx.store, item).catch(() => undefined);
    throw error;
  }
}
