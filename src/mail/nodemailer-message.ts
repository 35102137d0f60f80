import type { SendMailOptions } from 'nodemailer';
import { checkOutgoingMail, type OutgoingMail } from '../core/mail';

/**
 * An outgoing mail as nodemailer's message options: multipart/alternative with the text part
 * first, headers encoded (RFC 2047) and bodies quoted-printable or base64 as their content needs.
 * Nodemailer may never read a file or a URL on a message's behalf.
 */
export function nodemailerMessage(from: string, message: OutgoingMail, date?: Date): SendMailOptions {
  checkOutgoingMail(message);
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: { ...message.headers },
    ...(date ? { date } : {}),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
