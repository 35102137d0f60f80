import { domainToASCII } from 'node:url';
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import { checkOutgoingMail, type MailSender, MailUnavailableError, type OutgoingMail } from '../core/mail';

export interface SesMailOptions {
  readonly client: SESv2Client;
  /** `Name <address>` or a bare address; the address (or its domain) must be a verified SES identity. */
  readonly from: string;
  /** An SES configuration set for the sending events, if one is used. */
  readonly configurationSet?: string;
}

const ASCII_ATOMS = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;

/** `user@bücher.example` → `user@xn--bcher-kva.example`: SES takes domains in their ASCII form only. */
function asciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  return `${address.slice(0, at)}@${domainToASCII(domain) || domain}`;
}

/**
 * The sender as SES wants it: 7-bit ASCII, so a non-ASCII display name becomes an RFC 2047
 * encoded word and an international domain its punycode form.
 */
export function sesFromAddress(from: string): string {
  const [first] = addressparser(from, { flatten: true });
  if (!first?.address) throw new TypeError('sesMail: `from` must hold an address');
  const address = asciiDomain(first.address);
  const name = first.name.trim();
  if (!name) return address;
  if (ASCII_ATOMS.test(name)) return `${name} <${address}>`;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
  return `${encodeWord(name, 'B', 52)} <${address}>`;
}

/**
 * Mail through Amazon SES v2 `SendEmail` with simple content: SES builds the MIME message from
 * the subject and the two bodies, each marked UTF-8. The client's region, credentials, timeouts
 * and retries are the caller's (see createMailSender).
 */
export function sesMail({ client, from, configurationSet }: SesMailOptions): MailSender {
  const sender = sesFromAddress(from);
  return {
    async send(message: OutgoingMail): Promise<void> {
      checkOutgoingMail(message);
      const headers = Object.entries(message.headers ?? {}).map(([Name, Value]) => ({ Name, Value }));
      const command = new SendEmailCommand({
        FromEmailAddress: sender,
        Destination: { ToAddresses: [asciiDomain(message.to)] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
            ...(headers.length > 0 ? { Headers: headers } : {}),
          },
        },
        ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      });
      try {
        await client.send(command);
      } catch (error) {
        const { name, message: text, $metadata } = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const status = $metadata?.httpStatusCode ? ` (HTTP ${$metadata.httpStatusCode})` : '';
        throw new MailUnavailableError(`Mail could not be sent through Amazon SES: ${name ?? 'Error'}${status}: ${text ?? ''}`.trim());
      }
    },
  };
}
