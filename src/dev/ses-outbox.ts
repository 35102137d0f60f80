import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutgoingMail } from '../core/mail';
import { fileMail } from '../mail/file-mail';

/**
 * A local stand-in for Amazon SES v2 that keeps mail in a folder: `SendEmail`
 * (`POST /v2/email/outbound-emails`, simple content) becomes one `.eml` file, written by the same
 * file adapter as `AUTH_MAIL=file:DIR`. For functions that may only send through SES (the Lambda
 * bundle) run locally, as under serverless-offline. It listens on 127.0.0.1 only and checks no
 * signature: it is not a mail server for anyone else.
 */

export interface SesOutbox {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_SESV2. */
  readonly url: string;
  close(): Promise<void>;
}

interface SimpleSendEmail {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: {
    Simple?: {
      Subject?: { Data?: string };
      Body?: { Text?: { Data?: string }; Html?: { Data?: string } };
      Headers?: { Name: string; Value: string }[];
    };
  };
}

/** The request as one outgoing mail, or why it cannot be one. */
function mailOf(request: SimpleSendEmail): { from: string; mail: OutgoingMail } | string {
  const to = request.Destination?.ToAddresses ?? [];
  const simple = request.Content?.Simple;
  if (!request.FromEmailAddress) return 'FromEmailAddress is required';
  if (to.length !== 1 || request.Destination?.CcAddresses?.length || request.Destination?.BccAddresses?.length) return 'exactly one ToAddresses entry';
  if (!simple?.Subject?.Data || simple.Body?.Text?.Data === undefined) return 'Content.Simple with a Subject and a Text body';
  return {
    from: request.FromEmailAddress,
    mail: {
      to: to[0]!,
      subject: simple.Subject.Data,
      text: simple.Body.Text.Data,
      html: simple.Body.Html?.Data ?? '',
      headers: Object.fromEntries((simple.Headers ?? []).map((header) => [header.Name, header.Value])),
    },
  };
}

export async function startSesOutbox(dir: string, port = 0): Promise<SesOutbox> {
  const senders = new Map<string, ReturnType<typeof fileMail>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown, errorType?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails')
        return answer(404, { message: 'Only SendEmail is served here' }, 'NotFoundException');
      let parsed: ReturnType<typeof mailOf>;
      try {
        parsed = mailOf(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SimpleSendEmail);
      } catch {
        return answer(400, { message: 'The body is not JSON' }, 'BadRequestException');
      }
      if (typeof parsed === 'string') return answer(400, { message: parsed }, 'BadRequestException');
      const { from, mail } = parsed;
      if (!senders.has(from)) senders.set(from, fileMail({ dir, from }));
      senders
        .get(from)!
        .send(mail)
        .then(
          () => answer(200, { MessageId: `local-${Date.now().toString(36)}` }),
          (error: Error) => answer(500, { message: error.message }, 'InternalFailure'),
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
