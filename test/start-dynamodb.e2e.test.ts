import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { localClients, uniqueTable } from './helpers/dynamodb';
import { postJson, ROOT, startServer } from './helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-start-dynamodb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = promisify(execFile);

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run start:dynamodb', () => {
  // Java and the server each start twice here: seconds apiece on a busy machine.
  it('starts DynamoDB Local with data in .data/dynamodb, serves the flow, and stops both on SIGTERM', { timeout: 90_000 }, async () => {
    const server = await startServer({}, { script: join(ROOT, 'src', 'dev', 'start-dynamodb.ts'), cwd: dir });
    const emulatorPid = Number(/pid (\d+)/.exec(server.output())?.[1]);
    try {
      expect(server.output()).toMatch(/DynamoDB Local on http:\/\/127\.0\.0\.1:\d+ \(data in \.data\/dynamodb, pid \d+\)/);
      expect(server.output()).toMatch(/store: dynamodb table gatehouse at http:\/\/127\.0\.0\.1:\d+/);
      expect(processAlive(emulatorPid)).toBe(true);
      const password = 'emulated passphrase 2026';
      expect((await postJson(`${server.url}/register`, { name: 'D', username: 'dynamo', password })).status).toBe(201);
      const token = (await postJson(`${server.url}/login`, { username: 'dynamo', password })).body.response.token;
      expect((await postJson(`${server.url}/verify`, { token })).status).toBe(200);
      expect(existsSync(join(dir, '.data', 'dynamodb', 'shared-local-instance.db'))).toBe(true);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(processAlive(emulatorPid)).toBe(false);

    // The data outlives the command.
    const again = await startServer({}, { script: join(ROOT, 'src', 'dev', 'start-dynamodb.ts'), cwd: dir });
    try {
      expect((await postJson(`${again.url}/login`, { username: 'dynamo', password: 'emulated passphrase 2026' })).status).toBe(200);
    } finally {
      await again.stop();
    }
  });
});

describe('a port that is taken', () => {
  it('stops npm start and npm run start:dynamodb with one line naming the port and PORT, and stops DynamoDB Local', { timeout: 90_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      // What npm start and npm run start:dynamodb run, as built.
      for (const script of ['dist/node/server.mjs', 'dist/node/start-dynamodb.mjs']) {
        const child = spawn(process.execPath, [join(ROOT, script)], {
          cwd: dir,
          env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', AUTH_SQLITE_FILE: join(dir, 'port.db'), LOG_LEVEL: 'warn' },
        });
        let stderr = '';
        let stdout = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.stdout.on('data', (chunk) => (stdout += chunk));
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        expect(code, script).toBe(1);
        expect(stderr, script).toBe(`Gatehouse cannot listen on 127.0.0.1:${port}: the port is in use (set PORT to a free port)\n`);
        const emulator = /pid (\d+)\)/.exec(stdout)?.[1];
        if (script.includes('start-dynamodb')) {
          expect(emulator).toBeDefined();
          expect(processAlive(Number(emulator))).toBe(false);
        }
      }
    } finally {
      taken.close();
    }
  });
});

describe('npm run create-table', () => {
  it('creates the on-demand table with pk/sk and TTL, and is safe to run again', async () => {
    const table = uniqueTable('created');
    const env = { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') };
    const first = await run('npm', ['run', '--silent', 'create-table', '--', '--table', table], { cwd: ROOT, env });
    expect(first.stdout).toBe(`Created table ${table} (on-demand, TTL on "ttl")\n`);
    const second = await run('npm', ['run', '--silent', 'create-table', '--', '--table', table], { cwd: ROOT, env });
    expect(second.stdout).toBe(`Table ${table} already exists; TTL on "ttl"\n`);

    const { client } = localClients();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('says what is wrong in one line when the store cannot be reached', async () => {
    const env = { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' };
    const failure = await run('npm', ['run', '--silent', 'create-table'], { cwd: ROOT, env }).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(1);
    // The last line; the AWS SDK may print its own Node.js version notice before it.
    expect((failure as { stderr: string }).stderr).toMatch(/(^|\n)gatehouse create-table failed: [^\n]*ECONNREFUSED[^\n]*\n$/);
  });
});
