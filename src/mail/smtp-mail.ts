import nodemailer from 'nodemailer';
import { type MailSender, MailUnavailableError, type OutgoingMail } from '../core/mail';
import { nodemailerMessage } from './nodemailer-message';

export interface SmtpMailOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered; port 587 by default) or `smtps://…` (TLS from the start; port 465). */
  readonly url: string;
  readonly from: string;
  /** Extra trusted certificate authorities (PEM), for a server with a private CA. */
  readonly ca?: string | readonly string[];
}

/** Seconds, not nodemailer's minutes: a dead server fails a request quickly instead of holding it. */
export const SMTP_TIMEOUTS = { connectionMs: 3_000, greetingMs: 3_000, socketMs: 5_000 } as const;

interface SmtpTarget {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
}

/** Throws TypeError for a URL that is not smtp:// or smtps:// (the config checks it first). */
export function smtpTarget(url: string): SmtpTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new TypeError('smtpMail: the url must start with smtp:// or smtps://');
  const secure = parsed.protocol === 'smtps:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new TypeError('smtpMail: the url names no host');
  const port = parsed.port ? Number(parsed.port) : secure ? 465 : 587;
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  return { host, port, secure, ...(user || pass ? { auth: { user, pass } } : {}) };
}

/** Nodemailer's messages hold no credentials; should a server's reply echo the password, it is cut out. */
const redact = (text: string, secret: string | undefined) => (secret ? text.split(secret).join('***') : text);

/**
 * Mail through an SMTP server with nodemailer: one connection per message (nothing lingers
 * between the requests of a Lambda), certificates verified, TLS 1.2 or newer. STARTTLS is used
 * whenever the server offers it, and once offered it must succeed (no quiet fall-back to plain
 * text). With credentials, TLS is required: a password is never sent in the clear.
 */
export function smtpMail({ url, from, ca }: SmtpMailOptions): MailSender {
  const target = smtpTarget(url);
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.secure,
    requireTLS: target.auth !== undefined,
    ...(target.auth ? { auth: { user: target.auth.user, pass: target.auth.pass } } : {}),
    connectionTimeout: SMTP_TIMEOUTS.connectionMs,
    greetingTimeout: SMTP_TIMEOUTS.greetingMs,
    socketTimeout: SMTP_TIMEOUTS.socketMs,
    tls: { minVersion: 'TLSv1.2', ...(ca ? { ca: typeof ca === 'string' ? ca : [...ca] } : {}) },
    logger: false,
  });
  const where = `${target.secure ? 'smtps' : 'smtp'}://${target.host}:${target.port}`;

  return {
    async send(message: OutgoingMail): Promise<void> {
      const options = nodemailerMessage(from, message);
      try {
        await transport.sendMail(options);
      } catch (error) {
        const { code, responseCode, message: text } = error as { code?: string; responseCode?: number; message?: string };
        const detail = [code, responseCode, text].filter((part) => part !== undefined && part !== '').join(' ');
        throw new MailUnavailableError(`Mail could not be sent through ${where}: ${redact(detail, target.auth?.pass)}`);
      }
    },
  };
}
