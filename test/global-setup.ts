import type { TestProject } from 'vitest/node';
import { assertJavaForDynamoDbLocal, startDynamoDbLocal } from '../src/entry/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One DynamoDB Local (in memory) for the whole run; every suite makes its own tables in it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  assertJavaForDynamoDbLocal();
  const local = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamoEndpoint', local.endpoint);
  return () => local.stop();
}
