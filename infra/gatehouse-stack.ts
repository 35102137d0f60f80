import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { GatehouseAuth, type GatehouseAuthProps } from './constructs/gatehouse-auth';
import { GatehouseWeb } from './constructs/gatehouse-web';

export type GatehouseStackProps = StackProps & GatehouseAuthProps;

/** Gatehouse with its web app, plus one sample route protected by its authorizer. */
export class GatehouseStack extends Stack {
  readonly auth: GatehouseAuth;
  readonly web: GatehouseWeb;

  constructor(scope: Construct, id: string, props: GatehouseStackProps) {
    super(scope, id, props);
    this.web = new GatehouseWeb(this, 'Web');
    // Links in mail open the web app, which reads their token from the URL fragment; passkeys
    // belong to its pages: its CloudFront domain, or the custom domain given.
    this.auth = new GatehouseAuth(this, 'Auth', {
      ...props,
      corsOrigins: [this.web.url, ...(props.appUrl ? [new URL(props.appUrl).origin] : []), ...(props.corsOrigins ?? [])],
      appUrl: props.appUrl ?? this.web.url,
      // Their origins default, in the construct, to the app URL's origin: here the CloudFront URL.
      passkeys: props.appUrl ? props.passkeys : { ...props.passkeys, rpId: props.passkeys?.rpId ?? this.web.domainName },
    });
    this.web.deploy(this.auth.api.apiEndpoint);

    // A stand-in for your own API: it answers with what the authorizer established.
    const whoami = new LambdaFunction(this, 'WhoAmIFunction', {
      description: 'Gatehouse sample protected route: echoes the authorizer context',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(
        'exports.handler = async (event) => ({ statusCode: 200, headers: { "content-type": "application/json" }, ' +
          'body: JSON.stringify({ authorizer: event.requestContext.authorizer.lambda }) });',
      ),
      logGroup: new LogGroup(this, 'WhoAmILogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    this.auth.api.addRoutes({
      path: '/protected/whoami',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('WhoAmIIntegration', whoami),
      authorizer: this.auth.authorizer,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.auth.api.apiEndpoint, description: 'Base URL of the Gatehouse API' });
    new CfnOutput(this, 'WebUrl', { value: this.web.url, description: 'The message-board web app' });
    new CfnOutput(this, 'JwksUrl', { value: `${this.auth.api.apiEndpoint}/.well-known/jwks.json`, description: 'Public keys for verifying tokens' });
  }
}
