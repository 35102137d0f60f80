import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { totpCode } from '../src/core/totp';
import { ensureTable } from '../src/store/dynamodb-table';
import { fixture, functionUrlEvent, httpApiEvent, restEvent } from './helpers/aws-events';
import { type BundleHost, startBundleHost } from './helpers/bundle-host';
import { localClients, uniqueTable } from './helpers/dynamodb';
import { startFaultProxy } from './helpers/fault-proxy';
import { tamper } from './helpers/forge';
import { type KmsEndpoint, startKmsEndpoint } from './helpers/kms-endpoint';
import { ROOT } from './helpers/server';
import { SoftAuthenticator } from './helpers/soft-authenticator';

const ISSUER = 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';
const ORIGIN = 'https://app.example.com';
const USER = { name: 'Arindam Halder', username: 'arindam369', password: 'a long and unusual passphrase' };
const COOKIE = '__Host-gatehouse_token';

let host: BundleHost;
let kms: KmsEndpoint;
beforeAll(async () => {
  // On AWS the stack's KMS key seals the signing keys; here a local endpoint with real AES.
  kms = await startKmsEndpoint();
  // As on AWS, the table exists before the functions run: the stack creates it, not the handlers.
  const table = uniqueTable('lambda');
  await ensureTable(localClients().client, table);
  host = startBundleHost({
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AUTH_TABLE: table,
    AUTH_ISSUER: ISSUER,
    AUTH_CORS_ORIGINS: ORIGIN,
    LOG_LEVEL: 'warn',
    AUTH_KMS_KEY_ID: kms.createKey('alias/gatehouse').arn,
    AWS_ENDPOINT_URL_KMS: kms.url,
    AUTH_MAIL_FROM: 'Gatehouse <no-reply@gatehouse.example>',
  });
});
afterAll(async () => {
  await host.stop();
  await kms.close();
});

const api = async (event: unknown) => {
  const { result, error } = await host.invoke('api', event);
  if (error) throw new Error(`api handler failed: ${error}\n${host.output()}`);
  return result as { statusCode: number; body: string; headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]>; cookies?: string[] };
};
const json = (result: { body: string }) => JSON.parse(result.body);

describe('dist/lambda/api.mjs', () => {
  // 1.5 MB as the benchmark counts it (bench/rows.ts): 10^6 bytes to the MB.
  it('parses within the 1.5 MB budget at a cold start, what it needs later left in chunks beside it', () => {
    const sizes = JSON.parse(readFileSync(join(ROOT, 'dist', 'lambda', 'sizes.json'), 'utf8'));
    expect(sizes.api.atStart).toBeGreaterThanOrEqual(statSync(join(ROOT, 'dist', 'lambda', 'api.mjs')).size);
    expect(sizes.api.atStart).toBeLessThanOrEqual(1_500_000);
    // The WebAuthn library, the SES and KMS clients and the API description are not parsed at start.
    const chunks = readdirSync(join(ROOT, 'dist', 'lambda', 'api-chunks'));
    for (const lazy of ['kms-client', 'ses-client', 'openapi', 'docs-page'])
      expect(
        chunks.some((file) => file.startsWith(`${lazy}-`)),
        lazy,
      ).toBe(true);
    const atStart = (sizes.api.loadedAtStart as string[]).map((file) => readFileSync(join(ROOT, 'dist', 'lambda', file), 'utf8')).join('\n');
    expect(atStart).not.toContain('SendEmailCommand');
    expect(atStart).not.toContain('GenerateDataKeyCommand');
  });

  it('refuses the common passwords of the list shipped beside it, and takes an unusual one', async () => {
    for (const password of ['password1', 'iloveyou1', 'Sunshine1', '12345678']) {
      const refused = await api(restEvent('POST', '/register', { name: 'Weak', username: 'weakling', password }));
      expect(refused.statusCode, password).toBe(400);
      expect(json(refused)).toMatchObject({ code: 'weak_password', field: 'password' });
    }
    const taken = await api(restEvent('POST', '/register', { name: 'Weak', username: 'weakling', password: 'zebra kettle orbit 42' }));
    expect(taken.statusCode).toBe(201);
  });

  it('runs the tutorial flow through a REST API (v1 proxy), with CORS and the cookie in multiValueHeaders', async () => {
    const registered = await api(fixture('rest-v1-proxy-post'));
    expect(registered.statusCode).toBe(201);
    expect(json(registered)).toEqual({ message: 'User registered successfully', user: { username: 'arindam369', name: 'Arindam Halder' } });
    expect(registered.multiValueHeaders?.['access-control-allow-origin']).toEqual([ORIGIN]);
    expect(registered.multiValueHeaders?.['access-control-allow-credentials']).toEqual(['true']);

    const login = await api(restEvent('POST', '/login', { username: USER.username, password: USER.password }));
    expect(login.statusCode).toBe(200);
    const token = json(login).response.token as string;
    const cookie = login.multiValueHeaders?.['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^${COOKIE}=${token}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax$`));

    const verified = await api(restEvent('POST', '/verify', { username: USER.username, token }));
    expect(verified.statusCode).toBe(200);
    expect(json(verified)).toEqual({ verified: true, message: 'success', username: 'arindam369', amr: ['pwd'], token });

    const profile = await api(fixture('rest-v1-proxy-get', token));
    expect(profile.statusCode).toBe(200);
    expect(json(profile)).toMatchObject({ username: 'arindam369', name: 'Arindam Halder' });

    const byCookie = await api(restEvent('GET', '/user/myprofile', undefined, { Cookie: `${COOKIE}=${token}` }));
    expect(byCookie.statusCode).toBe(200);

    // The cookie's own session ends, so the cookie is cleared.
    const logout = await api(restEvent('POST', '/logout', { username: USER.username, token }, { Cookie: `${COOKIE}=${token}` }));
    expect(logout.statusCode).toBe(200);
    expect(logout.multiValueHeaders?.['set-cookie']?.[0]).toMatch(/Max-Age=0/);
    const refused = await api(restEvent('POST', '/verify', { username: USER.username, token }));
    expect(refused.statusCode).toBe(401);
    expect(json(refused)).toEqual({ verified: false, message: 'User is not authenticated', code: 'session_revoked' });
  });

  it('runs the flow through an HTTP API (v2), with the cookie in `cookies` both ways', async () => {
    const login = await api(fixture('http-v2-post'));
    expect(login.statusCode).toBe(200);
    const token = json(login).response.token as string;
    expect(login.cookies).toEqual([expect.stringMatching(new RegExp(`^${COOKIE}=${token};.*HttpOnly; Secure; SameSite=Lax$`))]);
    expect(login.headers?.['access-control-allow-origin']).toBe(ORIGIN);

    // The documented sample carries the cookie in `cookies`; over https its name has the __Host- prefix.
    const profile = await api({ ...fixture('http-v2-get-cookie'), cookies: [`${COOKIE}=${token}`] });
    expect(profile.statusCode).toBe(200);
    expect(json(profile).username).toBe('arindam369');

    const verified = await api(httpApiEvent('POST', '/verify', {}, { authorization: `Bearer ${token}` }));
    expect(json(verified)).toMatchObject({ verified: true, username: 'arindam369' });

    const logout = await api(httpApiEvent('POST', '/logout', undefined, {}, [`${COOKIE}=${token}`]));
    expect(logout.statusCode).toBe(200);
    expect(logout.cookies?.[0]).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0`));
    expect((await api(httpApiEvent('POST', '/verify', { token }))).statusCode).toBe(401);
  });

  it('runs the flow through a Lambda function URL', async () => {
    const login = await api(functionUrlEvent('POST', '/login', { username: USER.username, password: USER.password }));
    expect(login.statusCode).toBe(200);
    const token = json(login).response.token as string;
    const verified = await api(fixture('function-url-post', token));
    expect(verified.statusCode).toBe(200);
    expect(json(verified)).toMatchObject({ verified: true, username: 'arindam369' });
    expect((await api(functionUrlEvent('POST', '/logout', { token }))).statusCode).toBe(200);
    expect((await api(functionUrlEvent('POST', '/verify', { token }))).statusCode).toBe(401);
  });

  it("answers the tutorial's mapping-template events the way its own handler did", async () => {
    const registered = await api({ ...fixture('mapping-template'), username: 'templated' });
    expect(registered).toEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json' },
      body: { message: 'User registered successfully', user: { username: 'templated', name: 'Arindam Halder' } },
    });
    const login = (await api({ httpMethod: 'POST', path: '/login', username: 'templated', password: USER.password, name: '', token: '' })) as any;
    expect(login.statusCode).toBe(200);
    const token = login.body.response.token as string;
    const verified = (await api({ httpMethod: 'POST', path: '/verify', username: 'templated', token, password: '', name: '' })) as any;
    expect(verified.body).toEqual({ verified: true, message: 'success', username: 'templated', amr: ['pwd'], token });
    expect(((await api({ httpMethod: 'POST', path: '/logout', username: 'templated', token })) as any).body).toEqual({ message: 'Logged out successfully' });
    const refused = (await api({ httpMethod: 'POST', path: '/verify', username: 'templated', token })) as any;
    expect(refused.statusCode).toBe(401);
    expect(refused.body.verified).toBe(false);
    const wrong = (await api({ httpMethod: 'POST', path: '/login', username: 'templated', password: 'not it at all' })) as any;
    expect(wrong).toMatchObject({ statusCode: 401, body: { message: 'Wrong username or password', code: 'invalid_credentials' } });
  });

  it('answers a mapping-template event for a page that is not JSON with its text, not a crash', async () => {
    const docs = (await api({ httpMethod: 'GET', path: '/docs' })) as any;
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['Content-Type']).toMatch(/^text\/html/);
    expect(docs.body).toMatch(/^<!doctype html>/i);
    const script = (await api({ httpMethod: 'GET', path: '/docs/docs.js' })) as any;
    expect(script).toMatchObject({ statusCode: 200, headers: { 'Content-Type': expect.stringMatching(/javascript/) } });
    expect(typeof script.body).toBe('string');
  });

  it('makes a new signing key when the rotation schedule calls it, published before it signs', async () => {
    const before = JSON.parse((await api(httpApiEvent('GET', '/.well-known/jwks.json'))).body).keys.length as number;
    const rotation = (await api({ gatehouse: 'rotate-keys' })) as unknown as { kid: string; activatesAt: number; retiring: { kid: string }[] };
    expect(rotation.kid).toMatch(/^[\w-]{8,64}$/);
    expect(rotation.activatesAt - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(rotation.retiring.length).toBeGreaterThanOrEqual(1);
    // The JWKS document is cached a minute per instance: the instance that rotated drops its copy,
    // and a cold instance shows the new key at once too.
    const same = JSON.parse((await api(httpApiEvent('GET', '/.well-known/jwks.json'))).body).keys as { kid: string }[];
    expect(same.map((k) => k.kid)).toContain(rotation.kid);
    const cold = startBundleHost(host.env);
    try {
      const keys = JSON.parse((await cold.invoke('api', httpApiEvent('GET', '/.well-known/jwks.json'))).result.body).keys as { kid: string }[];
      expect(keys.map((k) => k.kid)).toContain(rotation.kid);
      expect(keys.length).toBe(before + 1);
    } finally {
      await cold.stop();
    }
  });

  it('adds a passkey and logs in with it (options, then the answer), and refuses a replayed or foreign answer with 4xx', async () => {
    expect((await api(httpApiEvent('POST', '/register', { name: 'Key Holder', username: 'keyholder', password: USER.password }))).statusCode).toBe(201);
    const token = json(await api(httpApiEvent('POST', '/login', { username: 'keyholder', password: USER.password }))).response.token as string;
    const bearer = { authorization: `Bearer ${token}` };
    // The RP is the app's host: by default the issuer's, as here.
    const creation = await api(httpApiEvent('POST', '/passkeys/register/options', undefined, bearer));
    expect(creation.statusCode).toBe(200);
    expect(json(creation)).toMatchObject({ rp: { id: new URL(ISSUER).hostname }, user: { name: 'keyholder' } });
    const device = new SoftAuthenticator(ISSUER);
    const added = await api(httpApiEvent('POST', '/passkeys/register', { response: await device.create(json(creation)), name: 'Phone' }, bearer));
    expect(added.statusCode).toBe(201);

    const request = await api(httpApiEvent('POST', '/passkeys/login/options', { username: 'keyholder' }));
    expect(json(request).allowCredentials).toHaveLength(1);
    const assertion = await device.get(json(request));
    const login = await api(httpApiEvent('POST', '/passkeys/login', { response: assertion }));
    expect(login.statusCode).toBe(200);
    expect(login.cookies).toEqual([expect.stringMatching(new RegExp(`^${COOKIE}=`))]);
    const verified = await api(httpApiEvent('POST', '/verify', { token: json(login).response.token }));
    expect(json(verified)).toMatchObject({ verified: true, username: 'keyholder', amr: ['webauthn'] });

    const replayed = await api(httpApiEvent('POST', '/passkeys/login', { response: assertion }));
    expect(replayed.statusCode).toBe(401);
    expect(json(replayed)).toEqual({ message: 'That passkey was not accepted', code: 'invalid_passkey' });
    const elsewhere = await device.get(json(await api(httpApiEvent('POST', '/passkeys/login/options', {}))), { origin: 'https://evil.example' });
    expect((await api(httpApiEvent('POST', '/passkeys/login', { response: elsewhere }))).statusCode).toBe(401);
    const garbled = await api(httpApiEvent('POST', '/passkeys/login', { response: { id: 'x', rawId: 'x', type: 'public-key', response: {} } }));
    expect(garbled.statusCode).toBe(400);
  });

  it('answers POST /verify on an HTTP API without the framework exactly as through it: status, body and headers', async () => {
    const token = json(await api(httpApiEvent('POST', '/login', { username: USER.username, password: USER.password }))).response.token as string;
    const withoutId = ({ headers, ...rest }: any) => ({
      ...rest,
      headers: Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'x-request-id')),
    });
    for (const event of [
      httpApiEvent('POST', '/verify', {}, { authorization: `Bearer ${token}` }),
      httpApiEvent('POST', '/verify', { token }),
      httpApiEvent('POST', '/verify', { token }, { origin: 'https://elsewhere.example.org' }),
    ]) {
      const quick = await api(event);
      // A query string is one of the things that send a request through the framework.
      const full = await api({ ...event, rawQueryString: 'through=app' });
      expect(quick.statusCode).toBe(200);
      expect(withoutId(quick)).toEqual(withoutId(full));
      expect(quick.headers?.['x-request-id']).toMatch(/^request-\d+$/);
    }
  });

  it('answers POST /verify 401 for an ended session and 503 when the store hangs, asking it no more than the app alone does, and logs the whole wait', async () => {
    const [dynamoHost, dynamoPort] = new URL(inject('dynamoEndpoint')).host.split(':');
    const proxy = await startFaultProxy({ host: dynamoHost!, port: Number(dynamoPort) });
    const hung = startBundleHost({ ...host.env, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, LOG_LEVEL: 'info' });
    try {
      const call = async (event: unknown) => {
        const { result, error, ms } = await hung.invoke('api', event);
        if (error) throw new Error(`api handler failed: ${error}\n${hung.output()}`);
        return { ...(result as { statusCode: number; body: string; headers: Record<string, string> }), ms };
      };
      const user = { name: 'Hanna', username: 'hanna', password: 'a store that stops answering' };
      expect((await call(httpApiEvent('POST', '/register', user))).statusCode).toBe(201);
      const token = json(await call(httpApiEvent('POST', '/login', user))).response.token as string;
      const verify = httpApiEvent('POST', '/verify', {}, { authorization: `Bearer ${token}` });
      expect((await call(verify)).statusCode).toBe(200);

      // A token refused by the quick path (its session ended) is answered by the app without a second lookup.
      const ended = json(await call(httpApiEvent('POST', '/login', user))).response.token as string;
      expect((await call(httpApiEvent('POST', '/logout', { token: ended }))).statusCode).toBe(200);
      /** The event through the quick path and through the framework (a query string): each answer, and the DynamoDB requests it made. */
      const bothWays = async (event: object, counted: 'passed' | 'delay') => {
        const found = { answers: [] as Awaited<ReturnType<typeof call>>[], requests: [] as number[] };
        for (const each of [event, { ...event, rawQueryString: 'through=app' }]) {
          proxy.resetCounts();
          found.answers.push(await call(each));
          found.requests.push(proxy.counts[counted]);
        }
        return found;
      };
      const { answers: refusals, requests: lookups } = await bothWays(httpApiEvent('POST', '/verify', { token: ended }), 'passed');
      expect(refusals.map((answer) => [answer.statusCode, json(answer).code])).toEqual([
        [401, 'session_revoked'],
        [401, 'session_revoked'],
      ]);
      expect(lookups[0]).toBeGreaterThan(0);
      expect(lookups[0]).toBe(lookups[1]);

      // Every request to the store is held: the quick path meets the failure, the app answers it.
      proxy.setPlan({ delay: 1 });
      const { answers, requests: asked } = await bothWays(verify, 'delay');
      proxy.setPlan({});
      for (const answer of answers) {
        expect(answer.statusCode).toBe(503);
        expect(json(answer).code).toBe('store_unavailable');
      }
      expect(asked[0]).toBeGreaterThan(0);
      expect(asked[0]).toBe(asked[1]);
      // The request log line of the quick path's failure times the request from its start.
      const requestId = answers[0]!.headers['x-request-id'];
      const line = hung
        .output()
        .split('\n')
        .filter((text) => text.startsWith('{"level"') && text.endsWith('}'))
        .map((text) => JSON.parse(text))
        .find((entry) => entry.msg === 'request' && entry.requestId === requestId);
      expect(line).toMatchObject({ route: '/verify', status: 503 });
      expect(line.ms).toBeGreaterThan(answers[0]!.ms / 2);
    } finally {
      await hung.stop();
      await proxy.close();
    }
  });

  it("uses Lambda's request id as the response's X-Request-Id", async () => {
    const res = await api(httpApiEvent('GET', '/health'));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['x-request-id']).toMatch(/^request-\d+$/);
  });
});

describe('dist/lambda/authorizer.mjs', () => {
  let token: string;
  let loggedOut: string;
  beforeAll(async () => {
    expect((await api(restEvent('POST', '/register', { name: 'Guard', username: 'guarded', password: USER.password }))).statusCode).toBe(201);
    const login = async () => json(await api(restEvent('POST', '/login', { username: 'guarded', password: USER.password }))).response.token as string;
    token = await login();
    loggedOut = await login();
    expect((await api(restEvent('POST', '/logout', { token: loggedOut }))).statusCode).toBe(200);
  });
  const authorize = (event: unknown) => host.invoke('authorizer', event);

  it('REST TOKEN: a valid token gets an Allow policy for the whole API, with the context', async () => {
    const { result } = await authorize(fixture('authorizer-rest-token', token));
    expect(result).toEqual({
      principalId: 'guarded',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*' }],
      },
      context: { username: 'guarded', sid: expect.any(String), amr: 'pwd' },
    });
  });

  it('REST REQUEST: the same, reading the Authorization header', async () => {
    const { result } = await authorize(fixture('authorizer-rest-request', token));
    expect(result).toMatchObject({ principalId: 'guarded', context: { username: 'guarded' } });
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*' });
  });

  it('REST: a logged-out, tampered or missing token is "Unauthorized" (401), never another error', async () => {
    const token401 = (t: string) => authorize(fixture('authorizer-rest-token', t));
    for (const bad of [loggedOut, tamper(token, { sub: 'someone-else' }), 'garbage']) {
      expect(await token401(bad)).toMatchObject({ error: 'Unauthorized' });
    }
    expect(await authorize({ ...fixture('authorizer-rest-token'), authorizationToken: '' })).toMatchObject({ error: 'Unauthorized' });
    const request = fixture('authorizer-rest-request', loggedOut);
    expect(await authorize(request)).toMatchObject({ error: 'Unauthorized' });
    // A cookie that is not even a well-formed value is refused, not an error (API Gateway's 500).
    const mangled = { ...request, headers: { Cookie: '__Host-gatehouse_token=%E0%A4%A' }, multiValueHeaders: { Cookie: ['__Host-gatehouse_token=%E0%A4%A'] } };
    expect(await authorize(mangled)).toMatchObject({ error: 'Unauthorized' });
    const { headers, multiValueHeaders, ...withoutHeaders } = request;
    expect(await authorize({ ...withoutHeaders, headers: {}, multiValueHeaders: {} })).toMatchObject({ error: 'Unauthorized' });
  });

  it('refuses at once every session ended by /logout/all or a password change', async () => {
    const login = async () => json(await api(restEvent('POST', '/login', { username: 'guarded', password: USER.password }))).response.token as string;
    const [a, b] = [await login(), await login()];
    expect((await authorize(fixture('authorizer-http-v2', a))).result.isAuthorized).toBe(true);
    const ended = await api(restEvent('POST', '/logout/all', undefined, { Authorization: `Bearer ${a}` }));
    expect(json(ended)).toMatchObject({ ended: expect.any(Number) });
    for (const token of [a, b]) {
      expect((await authorize(fixture('authorizer-http-v2', token))).result).toEqual({ isAuthorized: false });
      expect(await authorize(fixture('authorizer-rest-token', token))).toMatchObject({ error: 'Unauthorized' });
    }
    token = await login();
  });

  it('passes on a second factor in the context (REST and HTTP API), so a route can demand it', async () => {
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
    const setup = json(await api(restEvent('POST', '/mfa/totp/setup', { currentPassword: USER.password }, auth(token))));
    const now = Date.now();
    expect((await api(restEvent('POST', '/mfa/totp/confirm', { code: totpCode({ secret: setup.secret, now }) }, auth(token)))).statusCode).toBe(200);
    const step = json(await api(restEvent('POST', '/login', { username: 'guarded', password: USER.password })));
    expect(step).toMatchObject({ mfaRequired: true });
    const done = await api(restEvent('POST', '/login/mfa', { mfaToken: step.mfaToken, code: totpCode({ secret: setup.secret, now: now + 30_000 }) }));
    expect(done.statusCode).toBe(200);
    const strong = json(done).response.token as string;
    expect((await authorize(fixture('authorizer-rest-token', strong))).result.context).toEqual({
      username: 'guarded',
      sid: expect.any(String),
      amr: 'pwd otp',
    });
    expect((await authorize(fixture('authorizer-http-v2', strong))).result.context).toMatchObject({ amr: 'pwd otp' });
    // Off again, so the other cases log in with the password alone.
    expect((await api(restEvent('DELETE', '/mfa/totp', { currentPassword: USER.password }, auth(strong)))).statusCode).toBe(200);
  });

  it('HTTP API (payload 2.0): the simple response, allowing a valid token and refusing the others', async () => {
    expect((await authorize(fixture('authorizer-http-v2', token))).result).toEqual({
      isAuthorized: true,
      context: { username: 'guarded', sid: expect.any(String), amr: 'pwd' },
    });
    for (const bad of [loggedOut, tamper(token, { exp: 1 }), 'garbage']) {
      expect((await authorize(fixture('authorizer-http-v2', bad))).result).toEqual({ isAuthorized: false });
    }
    const cookieOnly = { ...fixture('authorizer-http-v2', token), headers: { authorization: 'Basic x' }, cookies: ['__Host-gatehouse_token=%zz'] };
    expect((await authorize(cookieOnly)).result).toEqual({ isAuthorized: false });
  });
});
