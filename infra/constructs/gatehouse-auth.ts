import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Fn, RemovalPolicy, Token } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { gatewayPath, ROUTES } from '../../src/http/routes';
import { TABLE_KEYS } from '../../src/store/dynamodb-table';
import { GatehouseMail, type GatehouseMailProps } from './gatehouse-mail';

export interface GatehouseAuthProps extends GatehouseMailProps {
  /** Origins allowed to call the API from a browser. Default: none (same origin only). */
  readonly corsOrigins?: readonly string[];
  /** Access-token lifetime. Default: 1 hour. */
  readonly accessTokenTtl?: Duration;
  /** Keep the table from being deleted with the stack. Default: true. */
  readonly deletionProtection?: boolean;
  /** How long function logs are kept. Default: one month. */
  readonly logRetention?: RetentionDays;
  /**
   * How long API Gateway caches an authorizer answer. Default: zero — a logout takes effect at
   * once on your routes; a longer cache saves invocations but lets a logged-out token through
   * until it expires from the cache.
   */
  readonly authorizerCacheTtl?: Duration;
  /** Memory of the API function, which also sets its CPU share for Argon2. Default: 1024 MB. */
  readonly apiMemoryMb?: number;
  /**
   * How often a new signing key is made. Each is published ten minutes before it signs, and the one
   * before leaves the JWKS once its last token has expired. Default: 30 days.
   */
  readonly keyRotation?: Duration;
  /** The web app's URL: passkeys are bound to it (and links in mail point to it). Default: the API's URL. */
  readonly appUrl?: string;
  /**
   * The relying party of passkeys. `rpId`: a domain, the app's host or a parent of it (with a
   * custom domain, e.g. `example.com` for `https://app.example.com`); `origins`: the pages that
   * may use them. Default: the host and the origin of `appUrl`.
   */
  readonly passkeys?: { readonly rpId?: string; readonly origins?: readonly string[] };
}

/** The host and origin of a URL, known at synth time or, for a URL made of deploy-time tokens, resolved by CloudFormation. */
function hostAndOrigin(url: string): { host: string; origin: string } {
  if (!Token.isUnresolved(url)) return { host: new URL(url).hostname, origin: new URL(url).origin };
  return { host: Fn.select(2, Fn.split('/', url)), origin: url };
}

/** The encryption context every sealed secret carries, and the only one the API may use the key with. */
export const SECRET_CONTEXT = { 'kms:EncryptionContext:app': 'gatehouse' };
/** What the API function may do with the key-encryption key; the authorizer may do nothing with it. */
export const KMS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];
/** The event the rotation schedule sends the API function. */
export const ROTATE_KEYS_EVENT = { gatehouse: 'rotate-keys' };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The data actions each function uses, and no others. */
export const API_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];
/** The authorizer reads a session and, for a kid it has not seen, that public key: GetItem only. */
export const AUTHORIZER_ACTIONS = ['dynamodb:GetItem'];

function assetDir(name: string): string {
  const dir = join(ROOT, 'dist', 'lambda-asset', name);
  if (!existsSync(join(dir, `${name}.mjs`))) throw new Error(`Missing ${dir}/${name}.mjs: run "npm run build" first`);
  return dir;
}

/**
 * Gatehouse in your own stack: the table, the API function behind an HTTP API with every route,
 * and a Lambda authorizer (`authorizer`) to put in front of your own routes.
 */
export class GatehouseAuth extends Construct {
  readonly table: Table;
  readonly api: HttpApi;
  readonly apiFunction: LambdaFunction;
  readonly authorizerFunction: LambdaFunction;
  /** Attach to your routes: `api.addRoutes({ ..., authorizer: auth.authorizer })`. */
  readonly authorizer: IHttpRouteAuthorizer;
  /** Seals the private signing keys, the refresh-token key and TOTP secrets kept in the table. */
  readonly keyEncryptionKey: Key;
  /** The SES identity the API sends its mail from. */
  readonly mail: GatehouseMail;

  constructor(scope: Construct, id: string, props: GatehouseAuthProps) {
    super(scope, id);
    const corsOrigins = [...(props.corsOrigins ?? [])];

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.api = new HttpApi(this, 'Api', {
      description: 'Gatehouse authentication API',
      ...(corsOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: corsOrigins,
              allowCredentials: !corsOrigins.includes('*'),
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.DELETE, CorsHttpMethod.OPTIONS],
              allowHeaders: ['Content-Type', 'Authorization'],
              exposeHeaders: ['Retry-After', 'X-Request-Id'],
              maxAge: Duration.minutes(10),
            },
          }
        : {}),
    });

    this.keyEncryptionKey = new Key(this, 'KeyEncryptionKey', {
      description: 'Gatehouse: seals the signing keys and other secrets kept in its table',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const environment = {
      AUTH_STORE: 'dynamodb',
      AUTH_TABLE: this.table.tableName,
      AUTH_ISSUER: this.api.apiEndpoint,
      AUTH_ACCESS_TOKEN_TTL: String((props.accessTokenTtl ?? Duration.hours(1)).toSeconds()),
      AUTH_CORS_ORIGINS: corsOrigins.join(','),
    };
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // One bundled function per asset folder: Node.js 22 on arm64, its own log group, and only the
    // table actions it uses.
    const bundled = (
      name: 'api' | 'authorizer',
      id: string,
      description: string,
      memorySize: number,
      seconds: number,
      actions: string[],
      extraEnvironment: Record<string, string> = {},
    ) => {
      const fn = new LambdaFunction(this, `${id}Function`, {
        description,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        code: Code.fromAsset(assetDir(name)),
        handler: `${name}.handler`,
        memorySize,
        timeout: Duration.seconds(seconds),
        environment: { ...environment, ...extraEnvironment },
        logGroup: new LogGroup(this, `${id}Logs`, { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY }),
      });
      this.table.grant(fn, ...actions);
      return fn;
    };
    this.mail = new GatehouseMail(this, 'Mail', { mailFrom: props.mailFrom, ...(props.mailIdentity ? { mailIdentity: props.mailIdentity } : {}) });
    // Links in mail open the web app; passkeys belong to its pages.
    const appUrl = props.appUrl ?? this.api.apiEndpoint;
    const app = hostAndOrigin(appUrl);
    this.apiFunction = bundled('api', 'Api', 'Gatehouse API: register, login, verify, logout, profile', props.apiMemoryMb ?? 1024, 10, API_ACTIONS, {
      AUTH_KMS_KEY_ID: this.keyEncryptionKey.keyArn,
      // Mail goes through SES, from this sender only.
      AUTH_MAIL: 'ses',
      AUTH_MAIL_FROM: props.mailFrom,
      AUTH_APP_URL: appUrl,
      AUTH_RP_ID: props.passkeys?.rpId ?? app.host,
      AUTH_RP_ORIGINS: (props.passkeys?.origins ?? [app.origin]).join(','),
    });
    this.mail.grantSend(this.apiFunction);
    // Only the API opens sealed secrets, and only with Gatehouse's own encryption context.
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({ actions: KMS_ACTIONS, resources: [this.keyEncryptionKey.keyArn], conditions: { StringEquals: SECRET_CONTEXT } }),
    );
    this.authorizerFunction = bundled('authorizer', 'Authorizer', 'Gatehouse authorizer for your own routes', 512, 5, AUTHORIZER_ACTIONS);

    this.authorizer = new HttpLambdaAuthorizer('GatehouseAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(0),
    });

    new Rule(this, 'KeyRotation', {
      description: 'Gatehouse: a new signing key, published before it signs',
      schedule: Schedule.rate(props.keyRotation ?? Duration.days(30)),
      targets: [new LambdaTarget(this.apiFunction, { event: RuleTargetInput.fromObject(ROTATE_KEYS_EVENT) })],
    });

    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction);
    for (const route of ROUTES) {
      this.api.addRoutes({ path: gatewayPath(route.path), methods: [HttpMethod[route.method]], integration });
    }
  }
}
