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
    });
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
