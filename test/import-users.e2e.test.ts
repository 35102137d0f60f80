import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { userKey } from '../src/core/records';
import { sqliteStore } from '../src/store/sqlite';
import { localClients, uniqueTable } from './helpers/dynamodb';
import { postJson, ROOT, startServer } from './helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tutorial's own shape: table keyed by `username` only, bcrypt at cost 8 of the trimmed password, a token list. */
const TUTORIAL_USERS = [
  {
    username: 'arindam369',
    name: 'Arindam Halder',
    password: 'abc#123',
    tokens: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6ImFyaW5kYW0zNjkifQ.sig'],
  },
  { username: 'ada', name: 'Ada Lovelace', password: 'engine notes 1843' },
  { username: 'grace', name: 'Grace Hopper', password: 'cobol forever' },
  { username: 'linus', name: 'Linus', password: 'penguins!' },
  { username: 'margaret', name: 'Margaret Hamilton', password: 'apollo guidance' },
  { username: 'taken', name: 'Someone Else', password: 'their password' },
];

async function gatehouse(args: string[], env: Record<string, string>) {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'gatehouse.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), CI: 'true', ...env },
  });
  return { stdout, stderr };
}

describe('gatehouse import-users from a tutorial table', () => {
  const source = uniqueTable('login-database');
  const target = { AUTH_SQLITE_FILE: join(dir, 'imported.db'), AUTH_ISSUER: 'http://localhost:4100' };

  beforeAll(async () => {
    const { client, document } = localClients();
    await client.send(
      new CreateTableCommand({
        TableName: source,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'username', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'username', KeyType: 'HASH' }],
      }),
    );
    for (const user of TUTORIAL_USERS) {
      await document.send(new PutCommand({ TableName: source, Item: { ...user, password: bcrypt.hashSync(user.password.trim(), 8) } }));
    }
    await document.send(new PutCommand({ TableName: source, Item: { username: 'Bad User', name: 'Bad', password: bcrypt.hashSync('whatever1', 8) } }));
    await document.send(new PutCommand({ TableName: source, Item: { username: 'plainpw', name: 'Plain', password: 'stored in clear' } }));
    // A Gatehouse user of that name exists already and must not be overwritten.
    const store = sqliteStore({ file: target.AUTH_SQLITE_FILE });
    await store.create({ ...userKey('taken'), data: { username: 'taken', name: 'Native', passwordHash: 'x', createdAt: '2026-01-01T00:00:00.000Z' } });
    await store.close();
  });

  it('checks everything and writes nothing with --dry-run', async () => {
    const { stdout } = await gatehouse(['import-users', '--source-table', source, '--dry-run'], target);
    expect(stdout).toMatch(/^Would import 5 user\(s\) from .*; 0 already there; 3 skipped\.$/m);
    expect(stdout).toContain('  skipped Bad User: username is not 3–64 characters of a-z 0-9 . _ -');
    expect(stdout).toContain('  skipped plainpw: password is not a bcrypt hash');
    expect(stdout).toContain('  skipped taken: username is taken by an existing Gatehouse user');
    const store = sqliteStore({ file: target.AUTH_SQLITE_FILE });
    expect(await store.get(userKey('ada'))).toBeUndefined();
    await store.close();
  });

  it('carries on after an interrupted run, importing no one twice, with progress and a final report', async () => {
    const first = await gatehouse(['import-users', '--source-table', source, '--limit', '2', '--page-size', '2'], target);
    expect(first.stdout).toMatch(/^Imported 2 user\(s\) from .*; 0 already there; \d skipped\.$/m);
    expect(first.stdout).toContain('Stopped after 2 import(s); run the same command again to carry on.');
    expect(first.stderr).toMatch(/\d+\/8 read · 2 imported/);

    const second = await gatehouse(['import-users', '--source-table', source, '--page-size', '2'], target);
    expect(second.stdout).toMatch(/^Imported 3 user\(s\) from .*; 0 already there; \d skipped \(carried on from the last run\)\.$/m);
    const third = await gatehouse(['import-users', '--source-table', source], target);
    expect(third.stdout).toMatch(/^Imported 0 user\(s\) from .*; 5 already there; 3 skipped\.$/m);

    const store = sqliteStore({ file: target.AUTH_SQLITE_FILE });
    const ada = await store.get(userKey('ada'));
    expect(ada?.data).toMatchObject({ username: 'ada', name: 'Ada Lovelace', importedFrom: source, passwordHash: expect.stringMatching(/^\$2[ab]\$08\$/) });
    expect(ada?.data).not.toHaveProperty('tokens');
    expect((await store.get(userKey('taken')))?.data.name).toBe('Native');
    await store.close();
  });

  it('lets imported users log in with their tutorial passwords, upgrading the hash, and refuses their old tokens', async () => {
    const server = await startServer(target);
    try {
      for (const user of TUTORIAL_USERS.filter((u) => u.username !== 'taken')) {
        const login = await postJson(`${server.url}/login`, { username: user.username, password: user.password });
        expect(login.status, user.username).toBe(200);
        expect(login.body.response.name).toBe(user.name);
      }
      const old = await postJson(`${server.url}/verify`, { username: 'arindam369', token: TUTORIAL_USERS[0]!.tokens![0] });
      expect(old.status).toBe(401);
    } finally {
      await server.stop();
    }
    const store = sqliteStore({ file: target.AUTH_SQLITE_FILE });
    expect(String((await store.get(userKey('arindam369')))?.data.passwordHash)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await store.close();
  });

  it('says what is wrong when the source is missing', async () => {
    const failure = await gatehouse(['import-users'], target).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringMatching(/^--source-table is required\n/) });
    const missing = await gatehouse(['import-users', '--source-table', 'no-such-table'], target).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/ResourceNotFoundException/) });
  });
});

describe('gatehouse import-users with names that only look alike', () => {
  const source = uniqueTable('lookalikes');
  const target = { AUTH_SQLITE_FILE: join(dir, 'lookalikes.db'), AUTH_ISSUER: 'http://localhost:4101' };
  const VICTIM = 'the victim password';
  const ATTACKER = 'the attacker password';
  // Escape sequences, a line break, a C1 control and a bidi override in a name someone chose.
  const HOSTILE = 'mallory\u001b[31m\nImported 99 user(s)\u009b2J\u202eevil';

  beforeAll(async () => {
    const { client, document } = localClients();
    await client.send(
      new CreateTableCommand({
        TableName: source,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'username', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'username', KeyType: 'HASH' }],
      }),
    );
    const items = [
      { username: 'Kate', password: ATTACKER },
      { username: 'kate', password: VICTIM },
      { username: '\u212Aate2', password: ATTACKER },
      { username: 'kate2', password: VICTIM },
      { username: HOSTILE, password: ATTACKER },
    ];
    for (const item of items) {
      await document.send(new PutCommand({ TableName: source, Item: { username: item.username, name: 'N', password: bcrypt.hashSync(item.password, 4) } }));
    }
  });

  it('imports neither of two names that differ only in case, refuses look-alike letters, and prints names without control characters', async () => {
    const { stdout, stderr } = await gatehouse(['import-users', '--source-table', source], target);
    expect(stdout).toMatch(/^Imported 1 user\(s\) from .*; 0 already there; 4 skipped\.$/m);
    expect(stdout).toContain('  skipped Kate: username differs from kate only in letter case; such names are not imported\n');
    expect(stdout).toContain('  skipped kate: username differs from Kate only in letter case; such names are not imported\n');
    expect(stdout).toContain('  skipped \u212Aate2: username has characters that only turn into a-z 0-9 . _ - when lower-cased; refused\n');
    expect(stdout).toContain('  skipped malloryImported 99 user(s)evil: username is not 3–64 characters of a-z 0-9 . _ -\n');
    for (const output of [stdout, stderr]) expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(stdout.match(/^Imported /gm)).toHaveLength(1);

    const server = await startServer(target);
    try {
      for (const password of [VICTIM, ATTACKER]) expect((await postJson(`${server.url}/login`, { username: 'kate', password })).status).toBe(401);
      expect((await postJson(`${server.url}/login`, { username: 'kate2', password: ATTACKER })).status).toBe(401);
      expect((await postJson(`${server.url}/login`, { username: 'kate2', password: VICTIM })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
