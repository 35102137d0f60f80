import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEnvironment } from '../src/entry/check-environment';
import { ConfigError } from '../src/entry/config';
import { ROOT } from './helpers/server';

/** A value each variable must refuse: the README's configuration table is walked, row by row. */
const BAD: Readonly<Record<string, string>> = {
  PORT: '70000',
  HOST: 'not a host!',
  AUTH_STORE: 'postgres',
  AUTH_SQLITE_FILE: 'data/',
  AUTH_TABLE: 'no spaces allowed',
  AWS_REGION: 'moon',
  AWS_ENDPOINT_URL_DYNAMODB: 'localhost:8000',
  AUTH_ISSUER: 'auth.example.com',
  AUTH_AUDIENCE: 'two words',
  AUTH_ACCESS_TOKEN_TTL: 'soon',
  AUTH_SESSION_TTL: '10',
  AUTH_CORS_ORIGINS: 'https://app.example.com/path',
  AUTH_REFRESH_GRACE_SECONDS: '3600',
  AUTH_LOGIN_FAILURES_PER_CLIENT: '0',
  AUTH_LOCKOUT_BASE_SECONDS: '-1',
  AUTH_LOCKOUT_MAX_SECONDS: 'forever',
  AUTH_ACCOUNT_FAILURES_PER_HOUR: '1.5',
  AUTH_CLIENT_LOGINS_PER_10_MIN: 'many',
  AUTH_CLIENT_REGISTRATIONS_PER_10_MIN: '0',
  AUTH_TRUST_PROXY: 'maybe',
  AUTH_KMS_KEY_ID: 'my key',
  AUTH_KEY_ENCRYPTION_KEY: 'c2hvcnQ=',
  AUTH_KEY_FILE: 'keys/',
  LOG_LEVEL: 'loud',
  AUTH_MAIL: 'mailto:me@example.com',
  AUTH_MAIL_FROM: 'no address here',
  AUTH_APP_URL: 'app.example.com',
  AUTH_EMAIL_TOKEN_TTL: '30',
  AUTH_EMAIL_REQUESTS_PER_ACCOUNT_PER_HOUR: '0',
  AUTH_CLIENT_EMAIL_REQUESTS_PER_10_MIN: 'lots',
  AUTH_FORGOT_ANSWER_MS: '50',
  AUTH_RP_ID: '127.0.0.1',
  AUTH_RP_ORIGINS: 'https://elsewhere.example.org',
};

/** Every variable named in the first column of the README's configuration table. */
function documentedVariables(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

describe('the configuration table of the README', () => {
  const variables = documentedVariables();

  it('lists the variables this test knows a bad value for, and no other', () => {
    expect(variables.length).toBeGreaterThan(20);
    expect(variables.filter((name) => !(name in BAD))).toEqual([]);
  });

  it.each(variables.filter((name) => name in BAD))('refuses a bad %s with one line that names it', (name) => {
    let error: unknown;
    try {
      checkEnvironment({ [name]: BAD[name] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    // A secret's value is never repeated back: its line names the variable only.
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name}[= ]`));
    expect(message).not.toContain('\n');
  });

  it('accepts the defaults: an empty environment', () => {
    expect(checkEnvironment({})).toMatchObject({ port: 3000, store: 'sqlite', logLevel: 'info' });
  });
});
