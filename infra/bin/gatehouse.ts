import { Annotations, App } from 'aws-cdk-lib';
import { GatehouseStack } from '../gatehouse-stack';

const app = new App();
const origins = app.node.tryGetContext('corsOrigins') as string | undefined;
// The sender of Gatehouse's mail: `npm run deploy -- -c mailFrom='Acme <no-reply@acme.example>'`
// (and `-c mailIdentity=acme.example` when that domain is already verified in SES).
const mailFrom = app.node.tryGetContext('mailFrom') as string | undefined;
const mailIdentity = app.node.tryGetContext('mailIdentity') as string | undefined;
const stack = new GatehouseStack(app, 'Gatehouse', {
  mailFrom: mailFrom ?? 'Gatehouse <no-reply@example.com>',
  ...(mailIdentity ? { mailIdentity } : {}),
  description: 'Gatehouse: username/password authentication on Lambda, API Gateway and DynamoDB',
  ...(origins
    ? {
        corsOrigins: origins
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      }
    : {}),
});
if (!mailFrom) {
  Annotations.of(stack).addWarning(
    "No mailFrom given: mail would come from no-reply@example.com, which SES cannot send from. Deploy with -c mailFrom='Name <address>'.",
  );
}
