import { describe, expect, it } from 'vitest';
import { describeMail, loadMailConfig, type MailConfig, MailConfigError } from '../src/mail/mail-config';

const FROM = 'Gatehouse <no-reply@example.com>';
const RULE = 'must be file:DIR, smtp://[user:pass@]host:port, smtps://[user:pass@]host:port or ses';

describe('AUTH_MAIL and AUTH_MAIL_FROM', () => {
  it.each<[string, Record<string, string>, MailConfig]>([
    ['nothing set, locally', {}, { kind: 'file', dir: '.data/outbox', from: 'Gatehouse <no-reply@localhost>' }],
    [
      'nothing but the sender, on Lambda',
      { AWS_LAMBDA_FUNCTION_NAME: 'api', AWS_REGION: 'eu-west-1', AUTH_MAIL_FROM: FROM },
      { kind: 'ses', region: 'eu-west-1', localCredentials: false, from: FROM },
    ],
    ['a relative file: outbox', { AUTH_MAIL: 'file:tmp/mail' }, { kind: 'file', dir: 'tmp/mail', from: 'Gatehouse <no-reply@localhost>' }],
    ['an absolute file: outbox', { AUTH_MAIL: 'file:/var/mail/out', AUTH_MAIL_FROM: FROM }, { kind: 'file', dir: '/var/mail/out', from: FROM }],
    ['a file:/// URL', { AUTH_MAIL: 'file:///var/mail/out' }, { kind: 'file', dir: '/var/mail/out', from: 'Gatehouse <no-reply@localhost>' }],
    ['file: in capitals, padded', { AUTH_MAIL: ' FILE:Out ' }, { kind: 'file', dir: 'Out', from: 'Gatehouse <no-reply@localhost>' }],
    ['smtp with a port', { AUTH_MAIL: 'smtp://mail.example.com:587', AUTH_MAIL_FROM: FROM }, { kind: 'smtp', url: 'smtp://mail.example.com:587', from: FROM }],
    [
      'smtp with credentials',
      { AUTH_MAIL: 'smtp://user:p%40ss@mail.example.com:25', AUTH_MAIL_FROM: FROM },
      { kind: 'smtp', url: 'smtp://user:p%40ss@mail.example.com:25', from: FROM },
    ],
    [
      'smtps without a port',
      { AUTH_MAIL: 'smtps://mail.example.com', AUTH_MAIL_FROM: 'no-reply@example.com' },
      { kind: 'smtp', url: 'smtps://mail.example.com', from: 'no-reply@example.com' },
    ],
    ['smtp to an IPv6 host', { AUTH_MAIL: 'smtp://[::1]:2525', AUTH_MAIL_FROM: FROM }, { kind: 'smtp', url: 'smtp://[::1]:2525', from: FROM }],
    ['ses with the SDK region chain', { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: FROM }, { kind: 'ses', localCredentials: false, from: FROM }],
    [
      'SES in capitals, AWS_DEFAULT_REGION',
      { AUTH_MAIL: 'SES', AUTH_MAIL_FROM: FROM, AWS_DEFAULT_REGION: 'us-east-2' },
      { kind: 'ses', region: 'us-east-2', localCredentials: false, from: FROM },
    ],
    [
      'ses at a local endpoint',
      { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: FROM, AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:4566' },
      { kind: 'ses', endpoint: 'http://127.0.0.1:4566', localCredentials: true, from: FROM },
    ],
    [
      'ses at a local endpoint, real credentials',
      { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: FROM, AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ACCESS_KEY_ID: 'AKID' },
      { kind: 'ses', endpoint: 'http://localhost:4566', localCredentials: false, from: FROM },
    ],
    [
      'a quoted sender name',
      { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: '"Gatehouse, Inc." <no-reply@example.com>' },
      { kind: 'ses', localCredentials: false, from: '"Gatehouse, Inc." <no-reply@example.com>' },
    ],
  ])('%s', (_, env, expected) => {
    expect(loadMailConfig(env)).toEqual(expected);
  });

  it.each<[Record<string, string>, string]>([
    [{ AUTH_MAIL: 'ftp://x' }, `Invalid configuration: AUTH_MAIL="ftp://x": ${RULE}`],
    [{ AUTH_MAIL: 'sesv2', AUTH_MAIL_FROM: FROM }, `Invalid configuration: AUTH_MAIL="sesv2": ${RULE}`],
    [{ AUTH_MAIL: '/var/mail' }, `Invalid configuration: AUTH_MAIL="/var/mail": ${RULE}`],
    [{ AUTH_MAIL: 'file:' }, 'Invalid configuration: AUTH_MAIL="file:": file: must name a directory, as file:DIR'],
    [
      { AUTH_MAIL: 'file://remote-host/share' },
      'Invalid configuration: AUTH_MAIL="file://remote-host/share": file: must name a local directory, as file:DIR or file:///absolute/dir',
    ],
    [{ AUTH_MAIL: 'smtp://', AUTH_MAIL_FROM: FROM }, 'Invalid configuration: AUTH_MAIL="smtp://": the SMTP URL must name a host'],
    [{ AUTH_MAIL: 'smtp://mail.example.com:99999', AUTH_MAIL_FROM: FROM }, `Invalid configuration: AUTH_MAIL="smtp://mail.example.com:99999": ${RULE}`],
    [
      { AUTH_MAIL: 'smtp://mail.example.com:0', AUTH_MAIL_FROM: FROM },
      'Invalid configuration: AUTH_MAIL="smtp://mail.example.com:0": the SMTP port must be 1–65535',
    ],
    [
      { AUTH_MAIL: 'smtp://mail.example.com:25/relay', AUTH_MAIL_FROM: FROM },
      'Invalid configuration: AUTH_MAIL="smtp://mail.example.com:25/relay": the SMTP URL must not carry a path, query or fragment',
    ],
    [
      { AUTH_MAIL: 'smtp://mail.example.com?secure=false', AUTH_MAIL_FROM: FROM },
      'Invalid configuration: AUTH_MAIL="smtp://mail.example.com?secure=false": the SMTP URL must not carry a path, query or fragment',
    ],
    [
      { AUTH_MAIL: 'smtp://user@mail.example.com', AUTH_MAIL_FROM: FROM },
      'Invalid configuration: AUTH_MAIL="smtp://user@mail.example.com": the SMTP URL needs both a user name and a password, or neither',
    ],
    [
      { AUTH_MAIL: 'smtp://user:s3cr%ZZet@mail.example.com', AUTH_MAIL_FROM: FROM },
      'Invalid configuration: AUTH_MAIL="smtp://user:***@mail.example.com": the user name and password must be percent-encoded',
    ],
    [
      { AUTH_MAIL: 'smtp://user:hunter2@mail.example.com:25/x', AUTH_MAIL_FROM: FROM },
      'Invalid configuration: AUTH_MAIL="smtp://user:***@mail.example.com:25/x": the SMTP URL must not carry a path, query or fragment',
    ],
    [{ AUTH_MAIL: 'smtp://mail.example.com:587' }, 'Invalid configuration: AUTH_MAIL_FROM="": required when AUTH_MAIL is smtp'],
    [{ AUTH_MAIL: 'ses' }, 'Invalid configuration: AUTH_MAIL_FROM="": required when AUTH_MAIL is ses'],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'api' }, 'Invalid configuration: AUTH_MAIL_FROM="": required when AUTH_MAIL is ses'],
    [
      { AUTH_MAIL_FROM: 'not an address' },
      'Invalid configuration: AUTH_MAIL_FROM="not an address": must be one address, like Gatehouse <no-reply@example.com>',
    ],
    [
      { AUTH_MAIL_FROM: 'a@example.com, b@example.com' },
      'Invalid configuration: AUTH_MAIL_FROM="a@example.com, b@example.com": must be one address, like Gatehouse <no-reply@example.com>',
    ],
    [
      { AUTH_MAIL_FROM: 'Team: a@example.com;' },
      'Invalid configuration: AUTH_MAIL_FROM="Team: a@example.com;": must be one address, like Gatehouse <no-reply@example.com>',
    ],
    [
      { AUTH_MAIL_FROM: 'Eve <a@example.com>\r\nBcc: x@example.com' },
      'Invalid configuration: AUTH_MAIL_FROM="Eve <a@example.com>\\r\\nBcc: x@example.com": must be one address, like Gatehouse <no-reply@example.com>',
    ],
    [
      { AUTH_MAIL: 'ses', AUTH_MAIL_FROM: FROM, AWS_ENDPOINT_URL_SESV2: 'localhost:4566' },
      'Invalid configuration: AWS_ENDPOINT_URL_SESV2="localhost:4566": must be an absolute http(s) URL',
    ],
  ])('refuses %o with one line naming the variable', (env, message) => {
    let caught: unknown;
    try {
      loadMailConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MailConfigError);
    expect((caught as Error).message).toBe(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('never prints a password when it names where mail goes', () => {
    const smtp = loadMailConfig({ AUTH_MAIL: 'smtps://user:hunter2@mail.example.com:465', AUTH_MAIL_FROM: FROM });
    expect(describeMail(smtp)).toBe('smtps://mail.example.com:465');
    expect(describeMail(loadMailConfig({}))).toBe('file:.data/outbox');
    expect(describeMail(loadMailConfig({ AUTH_MAIL: 'ses', AUTH_MAIL_FROM: FROM, AWS_REGION: 'eu-west-1' }))).toBe('ses (eu-west-1)');
  });
});
