import { App } from 'aws-cdk-lib';
import { GatehouseStack } from '../gatehouse-stack';

const app = new App();
const origins = app.node.tryGetContext('corsOrigins') as string | undefined;
new GatehouseStack(app, 'Gatehouse', {
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
