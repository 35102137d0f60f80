import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { gatewayPath, ROUTES } from '../../src/http/routes';
import { TABLE_KEYS } from '../../src/store/dynamodb-table';

export interface GatehouseAuthProps {
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
}

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

  constructor(scope: Construct, id: string, props: GatehouseAuthProps = {}) {
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
    const bundled = (name: 'api' | 'authorizer', id: string, description: string, memorySize: number, seconds: number, actions: string[]) => {
      const fn = new LambdaFunction(this, `${id}Function`, {
        description,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        code: Code.fromAsset(assetDir(name)),
        handler: `${name}.handler`,
        memorySize,
        timeout: Duration.seconds(seconds),
        environment,
        logGroup: new LogGroup(this, `${id}Logs`, { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY }),
      });
      this.table.grant(fn, ...actions);
      return fn;
    };
    this.apiFunction = bundled('api', 'Api', 'Gatehouse API: register, login, verify, logout, profile', props.apiMemoryMb ?? 1024, 10, API_ACTIONS);
    this.authorizerFunction = bundled('authorizer', 'Authorizer', 'Gatehouse authorizer for your own routes', 512, 5, AUTHORIZER_ACTIONS);

    this.authorizer = new HttpLambdaAuthorizer('GatehouseAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(0),
    });

    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction);
    for (const route of ROUTES) {
      this.api.addRoutes({ path: gatewayPath(route.path), methods: [HttpMethod[route.method]], integration });
    }
  }
}
