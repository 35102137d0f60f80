import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Distribution, HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The message-board web app on a private S3 bucket behind CloudFront (origin access control).
 * Create it before the API so the API can allow its origin, then `deploy(apiUrl)`.
 */
export class GatehouseWeb extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution domain>: the origin the API must allow. */
  readonly url: string;
  /** The distribution's domain name: the RP ID of passkeys made on the app. */
  readonly domainName: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    // The page may talk to itself and to API Gateway in this region; nothing else.
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy:
            `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; ` +
            `connect-src 'self' https://*.execute-api.${Aws.REGION}.amazonaws.com; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Gatehouse web app',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
    });
    this.domainName = this.distribution.distributionDomainName;
    this.url = `https://${this.domainName}`;
  }

  /** Uploads the built app with a config.json naming the API, and refreshes CloudFront's copy. */
  deploy(apiUrl: string): BucketDeployment {
    const webDir = join(ROOT, 'dist', 'web');
    if (!existsSync(join(webDir, 'index.html'))) throw new Error(`Missing ${webDir}/index.html: run "npm run build" first`);
    return new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(webDir), Source.jsonData('config.json', { apiUrl })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
  }
}
