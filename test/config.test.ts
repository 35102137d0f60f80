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
