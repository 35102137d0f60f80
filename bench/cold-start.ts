/**
 * Cold start of dist/lambda/api.mjs against its floor, on DynamoDB Local: each run is a fresh Node
 * process that imports the bundle, initialises it and answers one request (for the API a
 * `/verify`, for the floor one GetItem of the same session item). Runs alternate between the two.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS } from '../scripts/lambda-bundle-options';
import { createDynamoClients } from '../src/entry/dynamodb-client';
import { ensureTable } from '../src/store/dynamodb-table';
import { httpApiEvent } from '../test/helpers/aws-events';
import { startBundleHost } from '../test/helpers/bundle-host';
import { median, pair } from './measure';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const lambdaSizes = (): Record<'api' | 'authorizer', { atStart: number; total: number }> =>
  JSON.parse(readFileSync(join(ROOT, 'dist', 'lambda', 'sizes.json'), 'utf8'));

export interface ColdStarts {
  /** Bytes of the API's code a cold start parses, and of all of it (scripts/build.ts writes both). */
  readonly apiBytes: number;
  readonly apiTotalBytes: number;
  readonly floorBytes: number;
  /** Import + init + first answer, measured inside the fresh process (medians, ms). */
  readonly apiMs: number;
  readonly floorMs: number;
  /** The same plus Node's own start-up, measured from outside. */
  readonly apiWallMs: number;
  readonly floorWallMs: number;
  readonly ratio: number;
  readonly runs: number;
}

/** The floor handler, bundled with the options scripts/build.ts gives every Lambda bundle. */
async function bundleFloor(dir: string): Promise<string> {
  const outfile = join(dir, 'floor.mjs');
  await build({
    entryPoints: [join(ROOT, 'bench', 'floor-lambda.ts')],
    outfile,
    ...LAMBDA_BUNDLE_OPTIONS,
  });
  return outfile;
}

/** One fresh process, one invocation: ms inside the process (from the runner's start) and from outside. */
async function coldRun(dir: string, fn: string, event: unknown, env: Record<string, string>): Promise<{ inside: number; wall: number }> {
  const started = performance.now();
  const host = startBundleHost(env, dir);
  try {
    const answer = await host.invoke(fn, event);
    const wall = performance.now() - started;
    if (answer.error || answer.result?.statusCode !== 200) {
      throw new Error(`${fn} cold start failed: ${answer.error ?? JSON.stringify(answer.result)} ${host.output()}`);
    }
    return { inside: answer.sinceStart!, wall };
  } finally {
    await host.stop();
  }
}

export async function measureColdStarts(endpoint: string, runs: number): Promise<ColdStarts> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-floor-'));
  try {
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AUTH_TABLE: 'coldstart',
      AUTH_ISSUER: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      LOG_LEVEL: 'warn',
      // On AWS a KMS key seals the signing keys; here a local key, so no KMS round trip is timed.
      AUTH_KEY_ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
      // The sender the stack sets; a /verify sends no mail, so SES is never called.
      AUTH_MAIL_FROM: 'Gatehouse <no-reply@gatehouse.example>',
    };
    // As on AWS, the stack has made the table (and here a user and a session) before any cold start.
    const clients = createDynamoClients({ AWS_ENDPOINT_URL_DYNAMODB: endpoint });
    await ensureTable(clients.client, env.AUTH_TABLE);
    clients.client.destroy();
    const setup = startBundleHost(env);
    await setup.invoke('api', httpApiEvent('POST', '/register', { name: 'Cold', username: 'cold', password: 'cold start passphrase' }));
    const login = await setup.invoke('api', httpApiEvent('POST', '/login', { username: 'cold', password: 'cold start passphrase' }));
    await setup.stop();
    const token = JSON.parse(login.result.body).response.token as string;
    const { sub, sid } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; sid: string };
    const floorEnv = { ...env, FLOOR_PK: `USER#${sub}`, FLOOR_SK: `SESSION#${sid}` };
    const floorFile = await bundleFloor(dir);
    const verify = httpApiEvent('POST', '/verify', {}, { authorization: `Bearer ${token}` });

    const api: { inside: number; wall: number }[] = [];
    const floor: { inside: number; wall: number }[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= runs; round++) {
      const { baseline, subject } = await pair(
        round,
        () => coldRun(dir, 'floor', {}, floorEnv),
        () => coldRun(join(ROOT, 'dist', 'lambda'), 'api', verify, env),
      );
      floor.push(baseline);
      api.push(subject);
      ratios.push(subject.inside / baseline.inside);
    }
    const mid = (values: { inside: number; wall: number }[], field: 'inside' | 'wall') => median(values.map((v) => v[field]));
    const sizes = lambdaSizes().api;
    return {
      // What a cold start parses: api.mjs and the chunks it imports statically (scripts/build.ts).
      apiBytes: sizes.atStart,
      apiTotalBytes: sizes.total,
      floorBytes: statSync(floorFile).size,
      apiMs: mid(api, 'inside'),
      floorMs: mid(floor, 'inside'),
      apiWallMs: mid(api, 'wall'),
      floorWallMs: mid(floor, 'wall'),
      ratio: median(ratios),
      runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
