import { App } from 'aws-cdk-lib';
import { GatehouseStack } from '../gatehouse-stack';

const app = new App();
const origins = app.node.tryGetContext('corsOrigins') as string | undefined;
const list = (value: string) =>
  value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
// A custom domain for the web app: -c appUrl=https://app.example.com (and -c passkeyRpId=example.com to share passkeys across its subdomains).
const appUrl = app.node.tryGetContext('appUrl') as string | undefined;
const rpId = app.node.tryGetContext('passkeyRpId') as string | undefined;
const rpOrigins = app.node.tryGetContext('passkeyOrigins') as string | undefined;
new GatehouseStack(app, 'Gatehouse', {
  description: 'Gatehouse: username/password authentication on Lambda, API Gateway and DynamoDB',
  ...(origins ? { corsOrigins: list(origins) } : {}),
  ...(appUrl ? { appUrl } : {}),
  ...(rpId || rpOrigins ? { passkeys: { ...(rpId ? { rpId } : {}), ...(rpOrigins ? { origins: list(rpOrigins) } : {}) } } : {}),
});
