/**
 * Cold start of the Lambda bundles: a fresh Node process imports dist/lambda/<fn>.mjs and handles
 * one request (import + init + first invoke), against DynamoDB Local. Prints medians of several runs.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../src/dev/dynamodb-local';
import { createDynamoClients } from '../src/entry/dynamodb-client';
import { ensureTable } from '../src/store/dynamodb-table';
import { fixture, httpApiEvent } from '../test/helpers/aws-events';
import { startBundleHost } from '../test/helpers/bundle-host';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export interface ColdStart {
  readonly fn: 'api' | 'authorizer';
  readonly bytes: number;
  /** Import + init + first invoke, measured inside the fresh process. */
  readonly medianMs: number;
  /** The same plus Node's own start-up, measured from outside. */
  readonly medianWallMs: number;
}

export async function measureColdStarts(runs = 7): Promise<ColdStart[]> {
  const local = await startDynamoDbLocal({ inMemory: true });
  try {
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
      AUTH_TABLE: 'coldstart',
      AUTH_ISSUER: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      LOG_LEVEL: 'warn',
    };
    // As on AWS, the stack has made the table before any function runs.
    const clients = createDynamoClients({ AWS_ENDPOINT_URL_DYNAMODB: local.endpoint });
    await ensureTable(clients.client, env.AUTH_TABLE);
    clients.client.destroy();
    const setup = startBundleHost(env);
    await setup.invoke('api', httpApiEvent('POST', '/register', { name: 'Cold', username: 'cold', password: 'cold start passphrase' }));
    const login = await setup.invoke('api', httpApiEvent('POST', '/login', { username: 'cold', password: 'cold start passphrase' }));
    const token = JSON.parse(login.result.body).response.token as string;
    await setup.stop();

    const events = {
      api: httpApiEvent('POST', '/verify', {}, { authorization: `Bearer ${token}` }),
      authorizer: fixture('authorizer-http-v2', token),
    };
    const results: ColdStart[] = [];
    for (const fn of ['api', 'authorizer'] as const) {
      const inside: number[] = [];
      const wall: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const host = startBundleHost(env);
        const first = await host.invoke(fn, events[fn]);
        wall.push(performance.now() - started);
        if (first.error) throw new Error(`${fn}: ${first.error}`);
        inside.push(first.sinceStart ?? first.ms);
        await host.stop();
      }
      results.push({ fn, bytes: statSync(join(ROOT, 'dist', 'lambda', `${fn}.mjs`)).size, medianMs: median(inside), medianWallMs: median(wall) });
    }
    return results;
  } finally {
    await local.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await measureColdStarts()) {
    console.log(
      `${r.fn}.mjs  ${(r.bytes / 1024).toFixed(0)} KiB  cold start (import + first invoke) ${r.medianMs.toFixed(0)} ms  with Node start-up ${r.medianWallMs.toFixed(0)} ms`,
    );
  }
}
