import { describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../src/core/logger';
import { userKey } from '../src/core/records';
import { runStoreContract } from '../src/store/contract';
import { dynamoStore } from '../src/store/dynamodb';
import { makeTestApp, PASSWORD } from './helpers/app';
import { freshDynamoStore, localClients } from './helpers/dynamodb';

runStoreContract('dynamodb (DynamoDB Local)', ({ now }) => freshDynamoStore(now, 'contract'));

describe('a DynamoDB table that does not exist', () => {
  it('answers 503 store_misconfigured and says what is wrong once in the log', async () => {
    const errors: LogFields[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (_message, fields) => errors.push(fields ?? {}) };
    const store = { ...dynamoStore({ client: localClients().document, table: 'no-such-table-here' }), close: async () => {} };
    const t = await makeTestApp(store, { logger });
    for (let i = 0; i < 3; i++) {
      const res = await t.call('/login', { body: { username: 'nobody', password: PASSWORD } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ message: 'Service unavailable: its store is not configured correctly', code: 'store_misconfigured' });
    }
    const health = await t.call('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ code: 'store_misconfigured' });
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.error)).toMatch(/table does not exist \(check AUTH_TABLE and AWS_REGION\)/);
    expect(await store.get(userKey('nobody')).catch((error: Error) => error.name)).toBe('StoreMisconfiguredError');
  });
});
