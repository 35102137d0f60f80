import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { GatehouseAuth } from '../constructs/gatehouse-auth';
import { GatehouseStack, type GatehouseStackProps } from '../gatehouse-stack';

const outdir = mkdtempSync(join(tmpdir(), 'gatehouse-cdk-passkeys-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function apiEnvironment(template: Template): Record<string, unknown> {
  const [api] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'api.handler' } })) as any[];
  return api.Properties.Environment.Variables;
}
const MAIL_FROM = 'Gatehouse <no-reply@gatehouse.example>';
const stackTemplate = (props: Omit<GatehouseStackProps, 'mailFrom'> = {}) =>
  Template.fromStack(new GatehouseStack(new App({ outdir }), 'Gatehouse', { mailFrom: MAIL_FROM, ...props }));

describe('passkeys on AWS', () => {
  it("binds passkeys to the web app's CloudFront domain by default", () => {
    const template = stackTemplate();
    const [distribution] = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
    const domain = { 'Fn::GetAtt': [distribution, 'DomainName'] };
    const url = { 'Fn::Join': ['', ['https://', domain]] };
    expect(apiEnvironment(template)).toMatchObject({ AUTH_APP_URL: url, AUTH_RP_ID: domain, AUTH_RP_ORIGINS: url });
    // Only the API takes part in ceremonies.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'authorizer.handler',
      Environment: { Variables: Match.not(Match.objectLike({ AUTH_RP_ID: Match.anyValue() })) },
    });
  });

  it('takes a custom domain: the app URL, a parent domain as RP ID, and that origin allowed by CORS', () => {
    const template = stackTemplate({ appUrl: 'https://app.example.com', passkeys: { rpId: 'example.com' } });
    expect(apiEnvironment(template)).toMatchObject({
      AUTH_APP_URL: 'https://app.example.com',
      AUTH_RP_ID: 'example.com',
      AUTH_RP_ORIGINS: 'https://app.example.com',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowOrigins: Match.arrayWith(['https://app.example.com']) } });
    const both = stackTemplate({
      appUrl: 'https://app.example.com',
      passkeys: { rpId: 'example.com', origins: ['https://app.example.com', 'https://www.example.com'] },
    });
    expect(apiEnvironment(both).AUTH_RP_ORIGINS).toBe('https://app.example.com,https://www.example.com');
  });

  it("the construct alone binds passkeys to the API's own URL, which CloudFormation splits for the host", () => {
    const stack = new Stack(new App({ outdir }), 'Own');
    new GatehouseAuth(stack, 'Auth', { mailFrom: MAIL_FROM });
    const environment = apiEnvironment(Template.fromStack(stack));
    expect(environment.AUTH_APP_URL).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AuthApi/), 'ApiEndpoint'] });
    expect(environment.AUTH_RP_ID).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', environment.AUTH_APP_URL] }] });
    expect(environment.AUTH_RP_ORIGINS).toEqual(environment.AUTH_APP_URL);
  });
});
