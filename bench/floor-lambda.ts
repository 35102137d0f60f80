/**
 * The cold-start floor: a Lambda handler that only imports the DynamoDB client and makes one
 * GetItem (the session item FLOOR_PK/FLOOR_SK), bundled by the bench exactly as scripts/build.ts
 * bundles api.mjs. Nothing a real `/verify` could do with less.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  client ??= new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: process.env.AUTH_TABLE,
      Key: { pk: { S: process.env.FLOOR_PK! }, sk: { S: process.env.FLOOR_SK! } },
      ConsistentRead: true,
    }),
  );
  if (!Item) throw new Error('floor: no session item');
  return { statusCode: 200, body: JSON.stringify({ verified: true, username: Item.d?.M?.username?.S }) };
};
