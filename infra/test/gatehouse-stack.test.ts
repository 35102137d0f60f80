import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayPath, ROUTES } from '../../src/http/routes';
import { GatehouseStack } from '../gatehouse-stack';

const outdir = mkdtempSync(join(tmpdir(), 'gatehouse-cdk-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let template: Template;
let stack: GatehouseStack;
beforeAll(() => {
  // As the CDK CLI does: record each asset's staged folder in the template metadata.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  stack = new GatehouseStack(app, 'Gatehouse', { corsOrigins: ['https://app.example.com'], mailFrom: 'Gatehouse <no-reply@gatehouse.example>' });
  template = Template.fromStack(stack);
  app.synth();
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const statements = (): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => (policy as any).Properties.PolicyDocument.Statement as Statement[]);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the CDK stack', () => {
  it('has one on-demand table keyed pk/sk with TTL, point-in-time recovery and deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('runs every function on Node.js 22 or newer, arm64, with kept logs', () => {
    // Ours: the API, the authorizer and the sample route (CDK's own deployment helpers are not).
    const functions = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => (f as any).Properties)
      .filter((p) => String(p.Description ?? '').startsWith('Gatehouse'));
    expect(functions.length).toBe(3);
    for (const fn of functions) {
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.LoggingConfig?.LogGroup).toBeDefined();
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'api.handler',
      Environment: {
        Variables: Match.objectLike({
          AUTH_STORE: 'dynamodb',
          AUTH_TABLE: Match.anyValue(),
          AUTH_ISSUER: Match.anyValue(),
          AUTH_CORS_ORIGINS: Match.anyValue(),
        }),
      },
    });
  });

  it('grants only the data actions used, on this table only: no dynamodb:* and no * resource', () => {
    const data = statements().filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(data.length).toBeGreaterThan(0);
    for (const s of data) {
      expect(actions(s).some((a) => a.includes('*'))).toBe(false);
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      expect(resources).not.toContain('*');
      for (const resource of resources) expect(JSON.stringify(resource)).toMatch(/Table/);
    }
    const all = new Set(data.flatMap(actions));
    expect([...all].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort());
    expect(all.has('dynamodb:Scan')).toBe(false);
  });

  it("seals secrets with its own KMS key (rotation on): only the API may use it, only with Gatehouse's context", () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    const kms = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([, policy]) =>
      ((policy as any).Properties.PolicyDocument.Statement as (Statement & { Condition?: unknown })[])
        .filter((s) => actions(s).some((a) => a.startsWith('kms:')))
        .map((s) => ({ roles: (policy as any).Properties.Roles, statement: s })),
    );
    expect(kms).toHaveLength(1);
    const { roles, statement } = kms[0]!;
    expect(actions(statement).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(statement.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(statement.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:app': 'gatehouse' } });
    // The role is the API function's, never the authorizer's.
    const functions = template.findResources('AWS::Lambda::Function');
    const roleOf = (description: string) => Object.values(functions).find((f) => String((f as any).Properties.Description).startsWith(description)) as any;
    expect(roles).toEqual([{ Ref: roleOf('Gatehouse API').Properties.Role['Fn::GetAtt'][0] }]);
    expect(roleOf('Gatehouse API').Properties.Environment.Variables.AUTH_KMS_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(roleOf('Gatehouse authorizer').Properties.Environment.Variables.AUTH_KMS_KEY_ID).toBeUndefined();
  });

  it('sends mail through SES from its own identity: ses:SendEmail on that identity only, From the sender only, for the API only', () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'no-reply@gatehouse.example' });
    const ses = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      ((policy as any).Properties.PolicyDocument.Statement as (Statement & { Condition?: unknown })[])
        .filter((s) => actions(s).some((a) => a.startsWith('ses:')))
        .map((statement) => ({ roles: (policy as any).Properties.Roles, statement })),
    );
    expect(ses).toHaveLength(1);
    const { roles, statement } = ses[0]!;
    expect(actions(statement)).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(statement.Resource)).toMatch(
      /"arn:",\{"Ref":"AWS::Partition"\},":ses:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":identity\/",\{"Ref":"AuthMailIdentity[0-9A-F]+"\}/,
    );
    expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'no-reply@gatehouse.example' } });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    const byDescription = (prefix: string) => functions.find((f) => String(f.Properties.Description).startsWith(prefix));
    expect(roles).toEqual([{ Ref: byDescription('Gatehouse API').Properties.Role['Fn::GetAtt'][0] }]);
    // The API is told where mail goes and where its links point (the web app); the authorizer nothing of mail.
    expect(byDescription('Gatehouse API').Properties.Environment.Variables).toMatchObject({
      AUTH_MAIL: 'ses',
      AUTH_MAIL_FROM: 'Gatehouse <no-reply@gatehouse.example>',
      AUTH_APP_URL: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/Distribution/), 'DomainName'] }]] },
    });
    const authorizerEnv = Object.keys(byDescription('Gatehouse authorizer').Properties.Environment.Variables);
    expect(authorizerEnv.filter((name) => /MAIL|APP_URL/.test(name))).toEqual([]);
  });

  it('uses an SES identity already verified (the sender or its domain) instead of making one', () => {
    const app = new App({ outdir: mkdtempSync(join(outdir, 'named-')) });
    const named = Template.fromStack(new GatehouseStack(app, 'Named', { mailFrom: 'Acme <hello@acme.example>', mailIdentity: 'acme.example' }));
    named.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const ses = Object.values(named.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy as any).Properties.PolicyDocument.Statement as (Statement & { Condition?: unknown })[])
      .filter((s) => actions(s).includes('ses:SendEmail'));
    expect(ses).toHaveLength(1);
    expect(JSON.stringify(ses[0]!.Resource)).toContain(':identity/acme.example"');
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'hello@acme.example' } });
    expect(() => new GatehouseStack(new App({ outdir: mkdtempSync(join(outdir, 'bad-')) }), 'Bad', { mailFrom: 'no address here' })).toThrow(
      /mailFrom must be an address/,
    );
    expect(
      () =>
        new GatehouseStack(new App({ outdir: mkdtempSync(join(outdir, 'other-')) }), 'Other', {
          mailFrom: 'hello@acme.example',
          mailIdentity: 'other.example',
        }),
    ).toThrow(/mailIdentity must be the sender's address \(hello@acme\.example\) or its domain/);
  });

  it('rotates the signing key on a 30-day schedule by sending the API function the rotation event', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const [apiId] = Object.entries(functions).find(([, f]) => String((f as any).Properties.Description).startsWith('Gatehouse API'))!;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 days)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [apiId, 'Arn'] }, Input: JSON.stringify({ gatehouse: 'rotate-keys' }) })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [apiId, 'Arn'] } });
  });

  it('routes every API path to the API function, with CORS for the configured origin', () => {
    for (const route of ROUTES) template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${route.method} ${gatewayPath(route.path)}` });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] }]] }, 'https://app.example.com'],
        AllowCredentials: true,
      }),
    });
  });

  it('wires the Lambda authorizer (simple responses, no cache) to the sample protected route', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
    const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /protected/whoami',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
    for (const route of ROUTES) {
      const found = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: `${route.method} ${gatewayPath(route.path)}` } });
      expect(Object.keys(found)).toHaveLength(1);
      expect(Object.values(found).every((r) => (r as any).Properties.AuthorizationType !== 'CUSTOM')).toBe(true);
    }
  });

  it('serves the web app from a private bucket through CloudFront with origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    // Only CloudFront, for this distribution, may read the bucket.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({ FrameOptions: { FrameOption: 'DENY', Override: true } }),
      }),
    });
  });

  it('deploys the built app with a config.json that holds the API URL', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')).map((d) => (d as any).Properties);
    expect(deployments).toHaveLength(1);
    const markers = JSON.stringify(deployments[0].SourceMarkers);
    expect(markers).toMatch(/ApiEndpoint/);
    expect(deployments[0].DistributionPaths).toEqual(['/*']);
    const webAssets = readdirSync(outdir).filter((name) => existsSync(join(outdir, name, 'index.html')));
    expect(webAssets).toHaveLength(1);
    for (const file of ['index.html', 'app.js', 'styles.css', 'favicon.svg']) expect(existsSync(join(outdir, webAssets[0]!, file))).toBe(true);
  });

  it('outputs the API URL, the web app URL and the JWKS URL', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('WebUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] }]] } });
    template.hasOutput('JwksUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['/.well-known/jwks.json'])] } });
  });

  it('ships the Argon2 native binary for linux-arm64 inside the API asset', () => {
    const api = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => (f as any).Properties.Handler === 'api.handler') as any;
    const assetPath = api.Metadata['aws:asset:path'] as string;
    const dir = join(outdir, assetPath);
    expect(existsSync(join(dir, 'api.mjs'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', '@node-rs', 'argon2', 'index.js'))).toBe(true);
    const binary = join(dir, 'node_modules', '@node-rs', 'argon2-linux-arm64-gnu', 'argon2.linux-arm64-gnu.node');
    expect(existsSync(binary)).toBe(true);
    // An ELF shared object for AArch64 (e_machine 183), whatever machine built the asset.
    const header = readFileSync(binary).subarray(0, 20);
    expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(header.readUInt16LE(18)).toBe(183);
    // The common-password list travels beside the bundle, read at the first registration.
    expect(existsSync(join(dir, 'node_modules', '@zxcvbn-ts', 'language-common', 'dist', 'passwords.json.mjs'))).toBe(true);
  });
});
