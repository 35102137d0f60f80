/**
 * The mail port: one message to one address, as plain text and HTML. Adapters (a directory of
 * .eml files, SMTP, Amazon SES) live in src/mail; the sender address is theirs, not the message's.
 */

export interface OutgoingMail {
  /** One address, `someone@example.com`. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Extra header fields such as `Auto-Submitted`; never the ones the adapter writes itself. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface MailSender {
  /** Resolves once the transport has accepted the message; throws MailUnavailableError when it has not. */
  send(message: OutgoingMail): Promise<void>;
}

/** The transport did not take the message (down, refused, timed out). The message never carries credentials. */
export class MailUnavailableError extends Error {
  override readonly name = 'MailUnavailableError';
  readonly code = 'mail_unavailable';
}

/** Header fields the adapters write themselves, and so refuse from a message. */
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'return-path',
]);

// A header field name is printable US-ASCII except ':' (RFC 5322 §2.2).
const FIELD_NAME = /^[!-9;-~]+$/;
const LINE_BREAK = /[\r\n\u0000]/;
// One plain address: no display name, no list, no spaces or angle brackets.
const ADDRESS = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+$/;

/**
 * Throws TypeError for a message no adapter may send: more than one recipient, a line break where
 * it would start a new header (header injection), or a header the adapter owns. A programming
 * error, not an unavailable transport.
 */
export function checkOutgoingMail(message: OutgoingMail): void {
  if (!ADDRESS.test(message.to)) throw new TypeError('mail: `to` must be one plain address');
  if (LINE_BREAK.test(message.subject)) throw new TypeError('mail: the subject must be one line');
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!FIELD_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) throw new TypeError(`mail: header ${JSON.stringify(name)} is not allowed`);
    if (LINE_BREAK.test(value)) throw new TypeError(`mail: header ${name} must be one line`);
  }
}
