import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { emailTokenKey } from '../src/core/records';
import { dynamoStore } from '../src/store/dynamodb';
import { ensureTable } from '../src/store/dynamodb-table';
import { fixture, httpApiEvent } from './helpers/aws-events';
import { type BundleHost, startBundleHost } from './helpers/bundle-host';
import { localClients, uniqueTable } from './helpers/dynamodb';
import { type KmsEndpoint, startKmsEndpoint } from './helpers/kms-endpoint';
import { fragmentToken } from './helpers/outbox';
import { ROOT } from './helpers/server';
import { type SesEndpoint, startSesEndpoint } from './helpers/ses-endpoint';

const PASSWORD = 'a long and unusual passphrase';
// Long enough that the mail through the local SES endpoint is out well before it, even on a busy machine.
const ANSWER_MS = 2000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

let host: BundleHost;
let kms: KmsEndpoint;
let ses: SesEndpoint;
let table: string;
let baseEnv: Record<string, string>;
beforeAll(async () => {
  [kms, ses] = await Promise.all([startKmsEndpoint(), startSesEndpoint()]);
  table = uniqueTable('lambda-mail');
  await ensureTable(localClients().client, table);
  baseEnv = {
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AUTH_TABLE: table,
    AUTH_ISSUER: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
    LOG_LEVEL: 'warn',
    AUTH_KMS_KEY_ID: kms.createKey('alias/gatehouse-mail').arn,
    AWS_ENDPOINT_URL_KMS: kms.url,
  };
  host = startBundleHost({
    ...baseEnv,
    AUTH_MAIL_FROM: 'Gatehouse <no-reply@gatehouse.example>',
    AUTH_APP_URL: 'https://d111111abcdef8.cloudfront.net',
    AWS_ENDPOINT_URL_SESV2: ses.url,
    AUTH_FORGOT_ANSWER_MS: String(ANSWER_MS),
  });
});
afterAll(async () => {
  await host?.stop();
  await Promise.all([kms?.close(), ses?.close()]);
});

const api = async (event: unknown) => {
  const invocation = await host.invoke('api', event);
  if (invocation.error) throw new Error(`api handler failed: ${invocation.error}\n${host.output()}`);
  return { ...(invocation.result as { statusCode: number; body: string; headers?: Record<string, string> }), ms: invocation.ms };
};
const post = (path: string, body: unknown, headers: Record<string, string> = {}) => api(httpApiEvent('POST', path, body, headers));
const sentTo = (address: string) => ses.requests.filter((r) => (r.body as any)?.Destination?.ToAddresses?.includes(address));
const textOf = (request: { body: unknown }) => (request.body as any).Content.Simple.Body.Text.Data as string;

describe('mail from dist/lambda/api.mjs', () => {
  it('carries the SES client and none of the SMTP or file transports', () => {
    const dir = join(ROOT, 'dist', 'lambda');
    const files = ['api.mjs', ...readdirSync(join(dir, 'api-chunks')).map((file) => join('api-chunks', file))];
    const bundle = files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
    expect(bundle).toContain('SendEmailCommand');
    for (const absent of ['smtp-connection', 'STARTTLS', 'MailComposer', 'datasync']) expect(bundle, absent).not.toContain(absent);
  });

  it('sends the confirmation link through SES, pointing at the web app', async () => {
    expect((await post('/register', { name: 'Vera', username: 'vera', password: PASSWORD, email: 'vera@example.com' })).statusCode).toBe(201);
    const [request] = sentTo('vera@example.com');
    expect(request!.path).toBe('/v2/email/outbound-emails');
    expect((request!.body as any).FromEmailAddress).toBe('Gatehouse <no-reply@gatehouse.example>');
    const token = fragmentToken(textOf(request!), 'verify');
    expect(textOf(request!)).toContain('https://d111111abcdef8.cloudfront.net/#verify=');
    expect((await post('/email/verify', { token })).statusCode).toBe(200);
  });

  it('answers /password/forgot after the same fixed time for a verified account and nobody, the mail sent before the answer', async () => {
    await post('/register', { name: 'Una', username: 'una', password: PASSWORD, email: 'una@example.com' });
    const times: Record<string, number[]> = { vera: [], una: [], nobody: [] };
    const bodies = new Set<string>();
    for (let round = 0; round < 2; round++) {
      for (const username of round % 2 ? ['nobody', 'una', 'vera'] : ['vera', 'una', 'nobody']) {
        const before = sentTo('vera@example.com').length;
        const res = await post('/password/forgot', { username });
        expect(res.statusCode).toBe(202);
        bodies.add(res.body);
        times[username]!.push(res.ms);
        // On Lambda nothing runs after the answer: the mail is out by the time it comes.
        expect(sentTo('vera@example.com').length).toBe(before + (username === 'vera' ? 1 : 0));
      }
    }
    expect([...bodies]).toEqual([JSON.stringify({ message: 'If the account exists and has a verified email, a reset link is on its way' })]);
    const medians = Object.fromEntries(Object.entries(times).map(([name, ms]) => [name, median(ms)]));
    console.log(`forgot on Lambda (AUTH_FORGOT_ANSWER_MS=${ANSWER_MS}), median ms: ${JSON.stringify(medians)}`);
    for (const ms of Object.values(times).flat()) expect(ms).toBeGreaterThanOrEqual(ANSWER_MS);
    expect(sentTo('una@example.com')).toHaveLength(1);

    const token = fragmentToken(textOf(sentTo('vera@example.com').at(-1)!), 'reset');
    const reset = await post('/password/reset', { token, newPassword: 'a brand new and long passphrase' });
    expect(reset.statusCode).toBe(200);
    expect(JSON.parse(reset.body)).toMatchObject({ message: 'Password reset; every session has been ended' });
    expect(textOf(sentTo('vera@example.com').at(-1)!)).toContain('was just reset');
  });

  it('still answers 202 when SES fails, and leaves no link behind', async () => {
    ses.failWith({ status: 500, type: 'InternalFailure' });
    try {
      const res = await post('/password/forgot', { email: 'vera@example.com' });
      expect(res.statusCode).toBe(202);
    } finally {
      ses.failWith(undefined);
    }
    const store = dynamoStore({ client: localClients().document, table });
    expect(await store.get(emailTokenKey('vera', 'reset'))).toBeUndefined();
  });
});

describe('mail settings on Lambda', () => {
  it('needs AUTH_MAIL_FROM for the API, named in one line, while the authorizer needs no mail settings at all', async () => {
    const bare = startBundleHost(baseEnv);
    try {
      const refused = await bare.invoke('api', httpApiEvent('GET', '/health'));
      expect(refused.error).toBe('Invalid configuration: AUTH_MAIL_FROM="": required when AUTH_MAIL is ses');
      const authorized = await bare.invoke('authorizer', fixture('authorizer-http-v2', 'garbage'));
      expect(authorized.result).toEqual({ isAuthorized: false });
    } finally {
      await bare.stop();
    }
  });

  it('refuses any transport but SES', async () => {
    const smtp = startBundleHost({ ...baseEnv, AUTH_MAIL: 'smtp://127.0.0.1:2525', AUTH_MAIL_FROM: 'x@example.com' });
    try {
      expect((await smtp.invoke('api', httpApiEvent('GET', '/health'))).error).toBe(`Invalid configuration: AUTH_MAIL="smtp": only 'ses' runs on Lambda`);
    } finally {
      await smtp.stop();
    }
  });
});
