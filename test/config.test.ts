import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/entry/config';

describe('configuration', () => {
  it('has the documented defaults locally', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      store: 'sqlite',
      sqliteFile: '.data/auth.db',
      table: 'gatehouse',
      issuer: 'http://localhost:3000',
      audience: 'gatehouse',
      accessTokenTtl: 3600,
      sessionTtl: 2_592_000,
      corsOrigins: ['*'],
      refreshGraceSeconds: 10,
      throttle: {
        failuresPerClient: 5,
        lockoutBaseSeconds: 30,
        lockoutMaxSeconds: 900,
        accountFailuresPerHour: 100,
        clientLoginsPer10Min: 100,
        clientRegistrationsPer10Min: 30,
      },
      trustProxy: false,
      appUrl: 'http://localhost:3000',
      passkeys: { rpId: 'localhost', rpName: 'Gatehouse', origins: ['http://localhost:3000'], maxPerUser: 20 },
      logLevel: 'info',
      email: { appUrl: 'http://localhost:3000', appName: 'Gatehouse', tokenTtl: 900, limits: { perAccountPerHour: 5, perClientPer10Min: 30 } },
      forgotAnswerMs: 1000,
    });
  });

  it('reads the limits', () => {
    const config = loadConfig({
      AUTH_LOGIN_FAILURES_PER_CLIENT: '3',
      AUTH_LOCKOUT_BASE_SECONDS: '10',
      AUTH_LOCKOUT_MAX_SECONDS: '600',
      AUTH_ACCOUNT_FAILURES_PER_HOUR: '50',
      AUTH_CLIENT_LOGINS_PER_10_MIN: '40',
      AUTH_CLIENT_REGISTRATIONS_PER_10_MIN: '5',
      AUTH_REFRESH_GRACE_SECONDS: '5',
      AUTH_TRUST_PROXY: 'true',
    });
    expect(config.throttle).toEqual({
      failuresPerClient: 3,
      lockoutBaseSeconds: 10,
      lockoutMaxSeconds: 600,
      accountFailuresPerHour: 50,
      clientLoginsPer10Min: 40,
      clientRegistrationsPer10Min: 5,
    });
    expect(config.refreshGraceSeconds).toBe(5);
    expect(config.trustProxy).toBe(true);
  });

  it('reads the email settings: where links point, how long they live, the limits on mail, the name mail signs with', () => {
    const config = loadConfig({
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_APP_URL: 'https://app.example.com/board/',
      AUTH_EMAIL_TOKEN_TTL: '3600',
      AUTH_EMAIL_REQUESTS_PER_ACCOUNT_PER_HOUR: '3',
      AUTH_CLIENT_EMAIL_REQUESTS_PER_10_MIN: '12',
      AUTH_MAIL_FROM: '"Acme Board" <no-reply@acme.example>',
      AUTH_FORGOT_ANSWER_MS: '600',
    });
    expect(config.email).toEqual({
      appUrl: 'https://app.example.com/board',
      appName: 'Acme Board',
      tokenTtl: 3600,
      limits: { perAccountPerHour: 3, perClientPer10Min: 12 },
    });
    expect(config.forgotAnswerMs).toBe(600);
    // Links point at the issuer by default; a bare sender address leaves the name Gatehouse.
    const plain = loadConfig({ AUTH_ISSUER: 'https://auth.example.com', AUTH_MAIL_FROM: 'no-reply@acme.example' });
    expect(plain.email.appUrl).toBe('https://auth.example.com');
    expect(plain.email.appName).toBe('Gatehouse');
  });

  it('defaults to DynamoDB and no CORS origins on Lambda', () => {
    const config = loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'gatehouse-api', AUTH_ISSUER: 'https://auth.example.com' });
    expect(config.store).toBe('dynamodb');
    expect(config.corsOrigins).toEqual([]);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      AUTH_STORE: 'dynamodb',
      AUTH_SQLITE_FILE: ':memory:',
      AUTH_TABLE: 'my-auth',
      AUTH_ISSUER: 'https://auth.example.com/',
      AUTH_ACCESS_TOKEN_TTL: '900',
      AUTH_CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
    });
    expect(config).toMatchObject({
      port: 8080,
      store: 'dynamodb',
      sqliteFile: ':memory:',
      table: 'my-auth',
      issuer: 'https://auth.example.com',
      accessTokenTtl: 900,
      corsOrigins: ['https://a.example.com', 'https://b.example.com'],
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ AUTH_STORE: 'postgres' }, 'AUTH_STORE'],
    [{ AUTH_TABLE: 'a b' }, 'AUTH_TABLE'],
    [{ AUTH_ISSUER: 'localhost:3000' }, 'AUTH_ISSUER'],
    [{ AUTH_ISSUER: 'ftp://x.example.com' }, 'AUTH_ISSUER'],
    [{ AUTH_ACCESS_TOKEN_TTL: '-5' }, 'AUTH_ACCESS_TOKEN_TTL'],
    [{ AUTH_ACCESS_TOKEN_TTL: '10' }, 'AUTH_ACCESS_TOKEN_TTL'],
    [{ AUTH_CORS_ORIGINS: 'https://a.example.com/path' }, 'AUTH_CORS_ORIGINS'],
    [{ AUTH_CORS_ORIGINS: '*,https://a.example.com' }, 'AUTH_CORS_ORIGINS'],
    [{ AUTH_SESSION_TTL: '600', AUTH_ACCESS_TOKEN_TTL: '3600' }, 'AUTH_SESSION_TTL'],
    [{ AUTH_LOGIN_FAILURES_PER_CLIENT: '0' }, 'AUTH_LOGIN_FAILURES_PER_CLIENT'],
    [{ AUTH_CLIENT_LOGINS_PER_10_MIN: 'lots' }, 'AUTH_CLIENT_LOGINS_PER_10_MIN'],
    [{ AUTH_REFRESH_GRACE_SECONDS: '3600' }, 'AUTH_REFRESH_GRACE_SECONDS'],
    [{ AUTH_TRUST_PROXY: 'yes' }, 'AUTH_TRUST_PROXY'],
    [{ AUTH_APP_URL: 'app.example.com' }, 'AUTH_APP_URL'],
    [{ AUTH_APP_URL: 'https://app.example.com/#board' }, 'AUTH_APP_URL'],
    [{ AUTH_EMAIL_TOKEN_TTL: '30' }, 'AUTH_EMAIL_TOKEN_TTL'],
    [{ AUTH_EMAIL_TOKEN_TTL: '86401' }, 'AUTH_EMAIL_TOKEN_TTL'],
    [{ AUTH_EMAIL_REQUESTS_PER_ACCOUNT_PER_HOUR: '0' }, 'AUTH_EMAIL_REQUESTS_PER_ACCOUNT_PER_HOUR'],
    [{ AUTH_CLIENT_EMAIL_REQUESTS_PER_10_MIN: 'many' }, 'AUTH_CLIENT_EMAIL_REQUESTS_PER_10_MIN'],
    [{ AUTH_FORGOT_ANSWER_MS: '50' }, 'AUTH_FORGOT_ANSWER_MS'],
  ])('refuses %j with one line naming %s', (env, variable) => {
    let message = '';
    try {
      loadConfig(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.startsWith(`Invalid configuration: ${variable}=`)).toBe(true);
    expect(message).not.toContain('\n');
  });
});
