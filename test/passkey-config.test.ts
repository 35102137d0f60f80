import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/entry/config';

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
};

describe('passkey configuration', () => {
  it('takes the RP ID and origin from AUTH_APP_URL, which defaults to the issuer', () => {
    expect(loadConfig({ PORT: '4000' }).passkeys).toMatchObject({ rpId: 'localhost', origins: ['http://localhost:4000'] });
    expect(loadConfig({ AUTH_ISSUER: 'https://auth.example.com' }).passkeys).toMatchObject({ rpId: 'auth.example.com', origins: ['https://auth.example.com'] });
    const app = loadConfig({ AUTH_ISSUER: 'https://api.example.com', AUTH_APP_URL: 'https://app.example.com:8443/board/' });
    expect(app.appUrl).toBe('https://app.example.com:8443/board');
    expect(app.passkeys).toEqual({ rpId: 'app.example.com', rpName: 'Gatehouse', origins: ['https://app.example.com:8443'], maxPerUser: 20 });
  });

  it('reads AUTH_RP_ID and AUTH_RP_ORIGINS: a parent domain serves its subdomains', () => {
    const config = loadConfig({
      AUTH_APP_URL: 'https://app.example.com',
      AUTH_RP_ID: 'Example.com',
      AUTH_RP_ORIGINS: 'https://app.example.com, https://www.example.com/ ',
    });
    expect(config.passkeys).toMatchObject({ rpId: 'example.com', origins: ['https://app.example.com', 'https://www.example.com'] });
    expect(refusal({ AUTH_APP_URL: 'https://app.example.com', AUTH_RP_ID: 'example.com', AUTH_RP_ORIGINS: 'https://app.example.com' })).toBe('');
    expect(loadConfig({ AUTH_RP_ORIGINS: 'http://localhost:5173,http://localhost:3000' }).passkeys.origins).toEqual([
      'http://localhost:5173',
      'http://localhost:3000',
    ]);
  });

  it('starts with an issuer on an IP address, where browsers offer no passkeys, rather than refusing to start', () => {
    expect(loadConfig({ AUTH_ISSUER: 'http://127.0.0.1:3000' }).passkeys).toMatchObject({ rpId: '127.0.0.1', origins: ['http://127.0.0.1:3000'] });
  });

  it.each([
    [{ AUTH_RP_ID: 'https://example.com' }, 'AUTH_RP_ID'],
    [{ AUTH_RP_ID: 'example.com:443' }, 'AUTH_RP_ID'],
    [{ AUTH_RP_ID: '192.168.1.4' }, 'AUTH_RP_ID'],
    [{ AUTH_RP_ID: 'com' }, 'AUTH_RP_ID'],
    [{ AUTH_RP_ID: 'example.com' }, 'AUTH_RP_ID'],
    [{ AUTH_APP_URL: 'https://app.example.com', AUTH_RP_ID: 'other.example.com' }, 'AUTH_RP_ID'],
    [{ AUTH_APP_URL: 'https://app.example.com', AUTH_RP_ID: 'ample.com' }, 'AUTH_RP_ID'],
    [{ AUTH_RP_ORIGINS: 'http://app.example.com' }, 'AUTH_RP_ORIGINS'],
    [{ AUTH_RP_ID: 'example.com', AUTH_RP_ORIGINS: 'http://localhost.example.com' }, 'AUTH_RP_ORIGINS'],
    [{ AUTH_RP_ORIGINS: 'https://app.example.com/login' }, 'AUTH_RP_ORIGINS'],
    [{ AUTH_RP_ORIGINS: 'not a url' }, 'AUTH_RP_ORIGINS'],
    [{ AUTH_RP_ORIGINS: 'https://app.example.com' }, 'AUTH_RP_ORIGINS'],
    [{ AUTH_APP_URL: 'app.example.com' }, 'AUTH_APP_URL'],
  ])('refuses %j with one line naming %s', (env, variable) => {
    const message = refusal(env);
    expect(message.startsWith(`Invalid configuration: ${variable}=`), message).toBe(true);
    expect(message).not.toContain('\n');
  });
});
