import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_ACTIONS, AUTHORIZER_ACTIONS, KMS_ACTIONS, ROTATE_KEYS_EVENT, SECRET_CONTEXT } from '../infra/constructs/gatehouse-auth';
import { ensureServerlessInstalled, SERVERLESS_DIR } from '../scripts/serverless-install';
import { gatewayPath, ROUTES } from '../src/http/routes';
import { cookieSettings } from '../src/http/token-sources';
import { TABLE_KEYS } from '../src/store/dynamodb-table';
import { alterOne } from './helpers/forge';
import { linkOf } from './helpers/mailbox';
import { readOutbox } from './helpers/outbox';
import { freePorts } from './helpers/server';
import { type Offline, serverlessCli, startOffline, zipEntries } from './helpers/serverless';

const ORIGIN = 'https://app.example.com';
const STAGE = `e2e${Date.now().toString(36)}`;
const USER = { name: 'Arindam Halder', username: 'arindam369', password: 'a long and unusual passphrase' };
const MAIL_FROM = 'Gatehouse <no-reply@gatehouse.example>';

// A fresh clone has no serverless/node_modules: install exactly what its lock file pins.
beforeAll(() => ensureServerlessInstalled((line) => console.log(line)), 300_000);

type Resource = { Type: string; Properties: any; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string[]; Resource: unknown };

describe('serverless package: the CloudFormation that `serverless deploy` sends', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-sls-'));
  let resources: Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  beforeAll(async () => {
    await serverlessCli([
      'package',
      '--stage',
      STAGE,
      `--param=corsOrigins=${ORIGIN}`,
      `--param=mailFrom=${MAIL_FROM}`,
      `--param=appUrl=${ORIGIN}`,
      '--param=passkeyRpId=example.com',
      '--package',
      outDir,
    ]);
    resources = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
  }, 120_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('gives the HTTP API exactly the routes of ROUTES, all to the api function, plus the protected sample', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    const toApi = routes.filter((r) => JSON.stringify(r.Target).includes('HttpApiIntegrationApi')).map((r) => r.RouteKey as string);
    expect(toApi.sort()).toEqual(ROUTES.map((r) => `${r.method} ${gatewayPath(r.path)}`).sort());
    const others = routes.filter((r) => !toApi.includes(r.RouteKey));
    expect(others).toEqual([
      expect.objectContaining({ RouteKey: 'GET /protected/whoami', AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'HttpApiAuthorizerGatehouse' } }),
    ]);
  });

  it('creates the table: pk/sk strings, TTL on `ttl`, point-in-time recovery, on-demand, kept on delete', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resource]];
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toEqual({
      TableName: `gatehouse-${STAGE}`,
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('runs the built functions on Node.js 22, arm64, told the table and the API URL as issuer', () => {
    const fn = (id: string) => resources[id]!.Properties;
    for (const [id, handler] of [
      ['ApiLambdaFunction', 'api.handler'],
      ['AuthorizerLambdaFunction', 'authorizer.handler'],
    ] as const) {
      expect(fn(id)).toMatchObject({ Handler: handler, Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      expect(fn(id).Environment.Variables).toEqual({
        AUTH_STORE: 'dynamodb',
        AUTH_TABLE: `gatehouse-${STAGE}`,
        AUTH_ISSUER: { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] },
        AUTH_ACCESS_TOKEN_TTL: '3600',
        AUTH_CORS_ORIGINS: ORIGIN,
        // Only the API may open sealed secrets, send mail (through SES) and take part in passkey ceremonies.
        ...(id === 'ApiLambdaFunction'
          ? {
              AUTH_KMS_KEY_ID: { 'Fn::GetAtt': ['KeyEncryptionKey', 'Arn'] },
              AUTH_MAIL: 'ses',
              AUTH_MAIL_FROM: MAIL_FROM,
              AUTH_APP_URL: ORIGIN,
              AUTH_RP_ID: 'example.com',
            }
          : {}),
      });
    }
    expect(resources.KeyEncryptionKey!.Properties).toMatchObject({ EnableKeyRotation: true });
    // The same rotation schedule as the CDK stack: the API function gets the rotation event.
    const [rule] = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(30 days)', State: 'ENABLED' });
    expect(JSON.parse(rule.Targets[0].Input)).toEqual(ROTATE_KEYS_EVENT);
  });

  it('grants each function only its own logs and only the item actions it uses, on this table alone', () => {
    const roleOf = (fnId: string) => resources[fnId]!.Properties.Role['Fn::GetAtt'][0] as string;
    const statementsOf = (roleId: string): Statement[] =>
      resources[roleId]!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement).map((s: any) => ({ ...s, Action: [s.Action].flat() }));
    const table = { 'Fn::GetAtt': ['GatehouseTable', 'Arn'] };
    const expected: Record<string, { logs: string[]; dynamodb: string[] }> = {
      ApiLambdaFunction: { logs: ['ApiLogGroup'], dynamodb: API_ACTIONS },
      AuthorizerLambdaFunction: { logs: ['AuthorizerLogGroup'], dynamodb: AUTHORIZER_ACTIONS },
      WhoamiLambdaFunction: { logs: ['WhoamiLogGroup', 'WhoamiRestLogGroup'], dynamodb: [] },
      WhoamiRestLambdaFunction: { logs: ['WhoamiLogGroup', 'WhoamiRestLogGroup'], dynamodb: [] },
    };
    for (const [fnId, want] of Object.entries(expected)) {
      const statements = statementsOf(roleOf(fnId));
      const dynamo = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
      const kms = statements.filter((s) => s.Action.some((a) => a.startsWith('kms:')));
      const ses = statements.filter((s) => s.Action.some((a) => a.startsWith('ses:')));
      expect(ses.map((s) => ({ actions: s.Action, resource: s.Resource, condition: (s as any).Condition }))).toEqual(
        fnId === 'ApiLambdaFunction'
          ? [
              {
                actions: ['ses:SendEmail'],
                resource: {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':ses:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':identity/no-reply@gatehouse.example',
                    ],
                  ],
                },
                condition: { StringEquals: { 'ses:FromAddress': 'no-reply@gatehouse.example' } },
              },
            ]
          : [],
      );
      expect(kms.map((s) => ({ actions: s.Action.sort(), resource: s.Resource, condition: (s as any).Condition }))).toEqual(
        fnId === 'ApiLambdaFunction'
          ? [{ actions: KMS_ACTIONS, resource: { 'Fn::GetAtt': ['KeyEncryptionKey', 'Arn'] }, condition: { StringEquals: SECRET_CONTEXT } }]
          : [],
      );
      expect(dynamo.flatMap((s) => s.Action).sort()).toEqual([...want.dynamodb].sort());
      for (const s of dynamo) expect(s.Resource).toEqual(table);
      const logs = statements.filter((s) => !dynamo.includes(s) && !kms.includes(s) && !ses.includes(s));
      expect(logs.flatMap((s) => s.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect([logs[0]!.Resource].flat()).toEqual(want.logs.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    }
    // No shared role that every function would get.
    expect(
      ofType('AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['GatehouseApiRole', 'GatehouseAuthorizerRole', 'GatehouseWhoAmIRole']);
  });

  it('puts the authorizer in front of the samples: simple responses on the HTTP API, TOKEN on the REST API, neither cached', () => {
    expect(resources.HttpApiAuthorizerGatehouse!.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
    const [[, rest]] = ofType('AWS::ApiGateway::Authorizer') as [[string, Resource]];
    expect(rest.Properties).toMatchObject({ Type: 'TOKEN', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 0 });
  });

  it('lets the given origins call the HTTP API from a browser', () => {
    expect(resources.HttpApi!.Properties.CorsConfiguration).toEqual({
      AllowOrigins: [ORIGIN],
      AllowCredentials: true,
      AllowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      AllowHeaders: ['Content-Type', 'Authorization'],
      ExposeHeaders: ['Retry-After', 'X-Request-Id'],
      MaxAge: 600,
    });
  });

  it('deploys the built api folder, with the Argon2 binary for linux-arm64', async () => {
    const entries = await zipEntries(join(SERVERLESS_DIR, '.build', 'api.zip'));
    expect(entries).toContain('api.mjs');
    expect(entries).toContain('node_modules/@node-rs/argon2/index.js');
    expect(entries).toContain('node_modules/@node-rs/argon2-linux-arm64-gnu/argon2.linux-arm64-gnu.node');
    expect(entries.filter((e) => e.endsWith('.node'))).toHaveLength(1);
    expect(entries.some((e) => e.startsWith('api-chunks/'))).toBe(true);
    // The authorizer: its bundle and the chunks it loads when needed, nothing else (no native code).
    const authorizer = await zipEntries(join(SERVERLESS_DIR, '.build', 'authorizer.zip'));
    expect(authorizer.filter((e) => !e.startsWith('authorizer-chunks/'))).toEqual(['authorizer.mjs']);
  });
});

describe('serverless offline: the same service run locally against DynamoDB Local', () => {
  let offline: Offline;
  const walk: string[] = [];
  const outbox = mkdtempSync(join(tmpdir(), 'gatehouse-sls-outbox-'));
  beforeAll(async () => {
    const [httpPort, lambdaPort] = (await freePorts(2)) as [number, number];
    const args = ['--stage', STAGE, '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort), `--param=corsOrigins=${ORIGIN}`];
    offline = await startOffline(
      args,
      {
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
        AUTH_KEY_ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
        AUTH_MAIL: `file:${outbox}`,
      },
      httpPort,
    );
    walk.push(`serverless offline on ${offline.url}, stage ${STAGE}, table gatehouse-${STAGE}`);
  }, 180_000);
  afterAll(async () => {
    await offline?.stop();
    rmSync(outbox, { recursive: true, force: true });
    console.log(walk.join('\n'));
  });

  /** One request, recorded for the printed walk. */
  async function call(step: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${offline.url}${path}`, {
      method,
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    walk.push(`${step.padEnd(44)} ${method.padEnd(7)} ${path.padEnd(31)} → ${res.status}`);
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  it('walks register, login, verify, profile, both protected samples and logout, then refuses everything', async () => {
    const cookieName = cookieSettings(offline.url).name;
    const rest = `/${STAGE}/protected/whoami`;
    expect((await call('health', 'GET', '/health')).body).toEqual({ status: 'ok' });

    const registered = await call('register', 'POST', '/register', { body: USER });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ message: 'User registered successfully', user: { username: USER.username, name: USER.name } });

    const login = await call('login', 'POST', '/login', { body: { username: USER.username, password: USER.password } });
    expect(login.status).toBe(200);
    const token = login.body.response.token as string;
    // The cookie comes through serverless-offline whole (statehood 8.2.1 would make this a 500).
    expect(login.headers.getSetCookie()).toEqual([`${cookieName}=${token}; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax`]);
    const sid = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;

    const verified = await call('verify (body)', 'POST', '/verify', { body: { username: USER.username, token } });
    expect(verified).toMatchObject({ status: 200, body: { verified: true, message: 'success', username: USER.username, token } });

    const bearer = { authorization: `Bearer ${token}` };
    const cookie = { cookie: `${cookieName}=${token}` };
    const byBearer = await call('profile by bearer', 'GET', '/user/myprofile', { headers: bearer });
    expect(byBearer).toMatchObject({ status: 200, body: { username: USER.username, name: USER.name } });
    expect((await call('profile by cookie', 'GET', '/user/myprofile', { headers: cookie })).body).toEqual(byBearer.body);

    const context = { authorizer: { username: USER.username, sid } };
    expect(await call('HTTP API authorizer (simple response)', 'GET', '/protected/whoami', { headers: bearer })).toMatchObject({ status: 200, body: context });
    expect(await call('REST TOKEN authorizer', 'GET', rest, { headers: bearer })).toMatchObject({ status: 200, body: context });
    // As on AWS: no Authorization header is 401 from the gateway; a bad token is 403 from an
    // HTTP API's simple response and 401 `Unauthorized` from a REST TOKEN authorizer.
    expect((await call('HTTP API, no header', 'GET', '/protected/whoami')).status).toBe(401);
    expect((await call('REST, no header', 'GET', rest)).status).toBe(401);
    const forged = { authorization: `Bearer ${alterOne(token)}` };
    expect((await call('HTTP API, forged token', 'GET', '/protected/whoami', { headers: forged })).status).toBe(403);
    expect((await call('REST, forged token', 'GET', rest, { headers: forged })).status).toBe(401);

    // API Gateway's CORS preflight, from the HTTP API's CORS settings.
    const preflight = (origin: string) => ({
      headers: { origin, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    const allowed = await call('preflight from the allowed origin', 'OPTIONS', '/sessions/x', preflight(ORIGIN));
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    const foreign = await call('preflight from another origin', 'OPTIONS', '/sessions/x', preflight('https://elsewhere.example'));
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    // A browser page sends its Origin with the cookie: the web app's, which the service trusts.
    const logout = await call('logout (cookie)', 'POST', '/logout', { headers: { ...cookie, origin: ORIGIN } });
    expect(logout).toMatchObject({ status: 200, body: { message: 'Logged out successfully' } });
    expect(logout.headers.getSetCookie()[0]).toMatch(new RegExp(`^${cookieName}=; Max-Age=0`));

    const refused = await call('verify after logout', 'POST', '/verify', { body: { token } });
    expect(refused).toMatchObject({ status: 401, body: { verified: false, code: 'session_revoked' } });
    expect(await call('profile by bearer after logout', 'GET', '/user/myprofile', { headers: bearer })).toMatchObject({
      status: 401,
      body: { code: 'session_revoked' },
    });
    expect(await call('profile by cookie after logout', 'GET', '/user/myprofile', { headers: cookie })).toMatchObject({
      status: 401,
      body: { code: 'session_revoked' },
    });
    expect((await call('HTTP API authorizer after logout', 'GET', '/protected/whoami', { headers: bearer })).status).toBe(403);
    expect((await call('REST TOKEN authorizer after logout', 'GET', rest, { headers: bearer })).status).toBe(401);
    expect((await call('logout again', 'POST', '/logout', { headers: bearer })).status).toBe(401);
  }, 120_000);

  it('sends its mail through the local SES endpoint into the file outbox: a confirmation link, then a reset link that works', async () => {
    const mailer = { name: 'Mail Reader', username: 'mailreader', password: USER.password, email: 'reader@example.com' };
    expect((await call('register with an email', 'POST', '/register', { body: mailer })).status).toBe(201);
    const [confirmation] = await readOutbox(outbox);
    expect(confirmation?.parsed.subject).toBe('Confirm your email address for Gatehouse');
    expect((await call('confirm the address from the mail', 'POST', '/email/verify', { body: { token: linkOf(confirmation!, 'verify') } })).status).toBe(200);
    expect((await call('forgot password', 'POST', '/password/forgot', { body: { email: mailer.email } })).status).toBe(202);
    const resetMail = async () => (await readOutbox(outbox)).find((mail) => mail.parsed.subject === 'Reset your Gatehouse password');
    await expect.poll(resetMail).toBeDefined();
    const reset = await resetMail();
    const newPassword = 'a brand new and long passphrase';
    const done = await call('reset from the mailed link', 'POST', '/password/reset', { body: { token: linkOf(reset!, 'reset'), newPassword } });
    expect(done).toMatchObject({ status: 200, body: { message: 'Password reset; every session has been ended' } });
    expect((await call('log in with the new password', 'POST', '/login', { body: { username: mailer.username, password: newPassword } })).status).toBe(200);
  }, 60_000);
});
