import { join } from 'node:path';
import { failed, runServer } from '../entry/run-server';
import { quietSdkNodeNotice } from '../entry/sdk-notice';
import { assertJavaForDynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';

/**
 * `npm run start:dynamodb`: DynamoDB Local (data in .data/dynamodb) and the server against it;
 * both stop together.
 */
async function main(): Promise<void> {
  quietSdkNodeNotice();
  try {
    assertJavaForDynamoDbLocal();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  const port = process.env.DYNAMODB_LOCAL_PORT ? Number(process.env.DYNAMODB_LOCAL_PORT) : undefined;
  const local = await startDynamoDbLocal({ dbPath: join(process.cwd(), '.data', 'dynamodb'), ...(port ? { port } : {}) });
  process.stdout.write(`DynamoDB Local on ${local.endpoint} (data in .data/dynamodb, pid ${local.process.pid})\n`);
  // The launcher also kills the emulator if this process exits any other way.
  await runServer({ ...process.env, AUTH_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: local.endpoint }, () => local.stop());
}

main().catch(failed);
