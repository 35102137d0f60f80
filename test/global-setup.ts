import type { TestProject } from 'vitest/node';
import { assertJavaForDynamoDbLocal, startDynamoDbLocal } from '../src/dev/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One DynamoDB Local (in memory) for the whole run; every suite makes its own tables in it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    assertJavaForDynamoDbLocal();
  } catch (error) {
    // The whole suite never runs without DynamoDB: it stops here, saying what is missing.
    throw new Error(`${(error as Error).message} (npm run test:fast runs the suites that need neither Java nor Chromium)`);
  }
  const local = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamoEndpoint', local.endpoint);
  return () => local.stop();
}
