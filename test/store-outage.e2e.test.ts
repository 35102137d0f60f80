import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../src/dev/dynamodb-local';
import { postJson, type RunningServer, startServer } from './helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-outage-'));
let local: DynamoDbLocal | undefined;
let server: RunningServer | undefined;
afterAll(async () => {
  if (local?.process.exitCode === null && local.process.signalCode === null) {
    local.process.kill('SIGCONT');
    await local.stop();
  }
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The request's answer and how long it took to come. */
async function timed(request: () => Promise<Response>): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const res = await request();
  return { status: res.status, body: await res.json(), ms: performance.now() - started };
}

describe('DynamoDB going away and coming back while the server runs', () => {
  // DynamoDB Local (Java) starts twice here: seconds apiece on a busy machine.
  it('answers 503 store_unavailable within 3 s, stays up, and recovers without a restart', { timeout: 90_000 }, async () => {
    const dbPath = join(dir, 'db');
    local = await startDynamoDbLocal({ dbPath });
    server = await startServer({ AUTH_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: local.endpoint, AUTH_TABLE: 'outage' });
    const url = server.url;
    const password = 'outage passphrase 2026';
    expect((await postJson(`${url}/register`, { name: 'O', username: 'outage', password })).status).toBe(201);
    const token = (await postJson(`${url}/login`, { username: 'outage', password })).body.response.token as string;

    const verify = () => fetch(`${url}/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    // An API client's login: the Node server's quick path takes it, and hands its failure to the app.
    const login = () =>
      fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'outage', password }) });
    const health = () => fetch(`${url}/health`);
    const expectUnavailable = (answer: { status: number; body: any; ms: number }) => {
      expect(answer.status).toBe(503);
      expect(answer.body.code).toBe('store_unavailable');
      expect(answer.ms).toBeLessThan(3000);
    };

    // Hung: the process is frozen, so connections open but nothing answers.
    local.process.kill('SIGSTOP');
    expectUnavailable(await timed(verify));
    expectUnavailable(await timed(login));
    expectUnavailable(await timed(health));
    local.process.kill('SIGCONT');
    expect((await timed(verify)).status).toBe(200);

    // Gone: the emulator is stopped, connections are refused.
    await local.stop();
    expectUnavailable(await timed(verify));
    expectUnavailable(await timed(login));
    expectUnavailable(await timed(health));
    expect(server.process.exitCode).toBeNull();

    // Back on the same port with the same data: the very next request works.
    local = await startDynamoDbLocal({ dbPath, port: local.port });
    const back = await timed(verify);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ verified: true, username: 'outage' });
    expect((await timed(health)).status).toBe(200);
    expect((await timed(login)).status).toBe(200);
  });
});
