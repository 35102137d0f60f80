import { SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MailSender, MailUnavailableError } from '../src/core/mail';
import { passwordResetMail, verifyAddressMail } from '../src/core/mail-templates';
import { loadMailConfig } from '../src/mail/mail-config';
import { createMailSender } from '../src/mail/mail-sender';
import { sesFromAddress } from '../src/mail/ses-mail';
import { SEND_EMAIL_PATH, type SesEndpoint, startSesEndpoint } from './helpers/ses-endpoint';

const ctx = { appName: 'Gatehouse', appUrl: 'https://app.example.com', linkTtlSeconds: 900 };
const reset = passwordResetMail(ctx, { to: 'ada@example.org', name: 'Ada', token: 'r-1' });

let endpoint: SesEndpoint;
let sender: MailSender;
beforeEach(async () => {
  endpoint = await startSesEndpoint();
  sender = createMailSender(
    loadMailConfig({ AUTH_MAIL: 'ses', AUTH_MAIL_FROM: 'Gatehouse <no-reply@example.com>', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SESV2: endpoint.url }),
  );
});
afterEach(async () => {
  await endpoint.close();
});

describe('SES mail', () => {
  it('sends SESv2 SendEmail with simple content, exactly as AWS documents it', async () => {
    const mail = verifyAddressMail(ctx, { to: 'zoe@example.org', name: 'Zoë', token: 'v-1', purpose: 'new-account' });
    await sender.send(mail);

    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(SEND_EMAIL_PATH);
    expect(request!.path).toBe('/v2/email/outbound-emails');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      FromEmailAddress: 'Gatehouse <no-reply@example.com>',
      Destination: { ToAddresses: ['zoe@example.org'] },
      Content: {
        Simple: {
          Subject: { Data: 'Confirm your email address for Gatehouse', Charset: 'UTF-8' },
          Body: {
            Text: { Data: mail.text, Charset: 'UTF-8' },
            Html: { Data: mail.html, Charset: 'UTF-8' },
          },
          Headers: [{ Name: 'Auto-Submitted', Value: 'auto-generated' }],
        },
      },
    });
  });

  it('signs the request with SigV4 for the ses service in the configured region', async () => {
    await sender.send(reset);
    const { headers } = endpoint.requests[0]!;
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/ses\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('uses a client it is given, with its own credentials and region', async () => {
    const client = new SESv2Client({ region: 'us-west-2', endpoint: endpoint.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const config = loadMailConfig({ AUTH_MAIL: 'ses', AUTH_MAIL_FROM: 'no-reply@example.com' });
    await createMailSender(config, { sesClient: client }).send(reset);
    const [request] = endpoint.requests;
    expect(request!.headers.authorization).toContain('Credential=AKIDEXAMPLE/');
    expect(request!.headers.authorization).toContain('/us-west-2/ses/aws4_request');
    expect((request!.body as { FromEmailAddress: string }).FromEmailAddress).toBe('no-reply@example.com');
  });

  it('turns MessageRejected into MailUnavailableError, without retrying', async () => {
    endpoint.failWith({ status: 400, type: 'MessageRejected', message: 'Email address is not verified.' });
    const sending = sender.send(reset);
    await expect(sending).rejects.toBeInstanceOf(MailUnavailableError);
    await expect(sending).rejects.toThrow('Mail could not be sent through Amazon SES: MessageRejected (HTTP 400): Email address is not verified.');
    expect(endpoint.requests).toHaveLength(1);
  });

  it('turns a 500 into MailUnavailableError after one retry', async () => {
    endpoint.failWith({ status: 500, type: 'InternalFailure', message: 'injected' });
    await expect(sender.send(reset)).rejects.toMatchObject({ name: 'MailUnavailableError', message: expect.stringContaining('(HTTP 500)') });
    expect(endpoint.requests).toHaveLength(2);
    endpoint.failWith(undefined);
    await sender.send(reset);
    expect(endpoint.requests).toHaveLength(3);
  });

  it('turns an unreachable endpoint into MailUnavailableError', async () => {
    await endpoint.close();
    await expect(sender.send(reset)).rejects.toBeInstanceOf(MailUnavailableError);
  });

  it('sends a non-ASCII sender name as an encoded word and an international domain as punycode', async () => {
    const from = sesFromAddress('Gätehaus Σύνδεση <no-reply@bücher.example>');
    expect(from).toMatch(/^[\x20-\x7e]+$/);
    expect(from.endsWith(' <no-reply@xn--bcher-kva.example>')).toBe(true);
    const parsed = await simpleParser(`From: ${from}\r\n\r\n`);
    expect(parsed.from?.value[0]?.name).toBe('Gätehaus Σύνδεση');
    expect(sesFromAddress('"Gatehouse, Inc." <no-reply@example.com>')).toBe('"Gatehouse, Inc." <no-reply@example.com>');
    expect(sesFromAddress('no-reply@example.com')).toBe('no-reply@example.com');
    await sender.send({ ...reset, to: 'leser@bücher.example' });
    expect((endpoint.requests[0]!.body as { Destination: unknown }).Destination).toEqual({ ToAddresses: ['leser@xn--bcher-kva.example'] });
  });
});
