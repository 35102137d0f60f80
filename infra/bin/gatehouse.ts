import { Annotations, App } from 'aws-cdk-lib';
import { GatehouseStack } from '../gatehouse-stack';

const app = new App();
const origins = app.node.tryGetContext('corsOrigins') as string | undefined;
const list = (value: string) =>
  value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
// The sender of Gatehouse's mail: `npm run deploy -- -c mailFrom='Acme <no-reply@acme.example>'`
// (and `-c mailIdentity=acme.example` when that domain is already verified in SES).
const mailFrom = app.node.tryGetContext('mailFrom') as string | undefined;
const mailIdentity = app.node.tryGetContext('mailIdentity') as string | undefined;
// A custom domain for the web app: -c appUrl=https://app.example.com (and -c passkeyRpId=example.com to share passkeys across its subdomains).
const appUrl = app.node.tryGetContext('appUrl') as string | undefined;
const rpId = app.node.tryGetContext('passkeyRpId') as string | undefined;
const rpOrigins = app.node.tryGetContext('passkeyOrigins') as string | undefined;
const stack = new GatehouseStack(app, 'Gatehouse', {
  mailFrom: mailFrom ?? 'Gatehouse <no-reply@example.com>',
  ...(mailIdentity ? { mailIdentity } : {}),
  description: 'Gatehouse: username/password authentication on Lambda, API Gateway and DynamoDB',
  ...(origins ? { corsOrigins: list(origins) } : {}),
  ...(appUrl ? { appUrl } : {}),
  ...(rpId || rpOrigins ? { passkeys: { ...(rpId ? { rpId } : {}), ...(rpOrigins ? { origins: list(rpOrigins) } : {}) } } : {}),
});
if (!mailFrom) {
  Annotations.of(stack).addWarning(
    "No mailFrom given: mail would come from no-reply@example.com, which SES cannot send from. Deploy with -c mailFrom='Name <address>'.",
  );
}
