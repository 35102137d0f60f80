import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../src/core/clock';
import { KEYS_PK, MESSAGES_PK, SIGNING_KEY_PREFIX, userKey } from '../src/core/records';
import { createSession, newRefreshSecret } from '../src/core/sessions';
import { ensureTable } from '../src/store/dynamodb-table';
import { sqliteStore } from '../src/store/sqlite';
import { localClients, uniqueTable } from './helpers/dynamodb';
import { postJson, ROOT, type RunningServer, startServer } from './helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npx gatehouse …` runs bin/gatehouse.mjs; so does this, with the given environment. */
async function gatehouse(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'gatehouse.mjs'), ...args], {
      cwd,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const PASSWORD = 'command line passphrase';

describe('npx gatehouse', () => {
  it('lists its commands with --help, through npx itself', async () => {
    const { stdout } = await promisify(execFile)('npx', ['gatehouse', '--help'], { cwd: ROOT });
    expect(stdout).toMatch(/^Usage: gatehouse <command> \[options\]/);
    for (const name of ['create-table', 'rotate-keys', 'sessions', 'user']) expect(stdout).toMatch(new RegExp(`^  ${name}\\s+\\w`, 'm'));
  });

  it.each(['create-table', 'rotate-keys', 'sessions', 'user'])('explains %s with --help', async (name) => {
    const run = await gatehouse([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: gatehouse ${name}`));
  });

  it('answers a mistake with what is wrong and how to call it, exit 2', async () => {
    expect(await gatehouse(['frobnicate'])).toMatchObject({ code: 2, stderr: 'Unknown command "frobnicate". Run gatehouse --help for the list.\n' });
    const noName = await gatehouse(['sessions', 'list']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/^a username is required\nUsage: gatehouse sessions list <username>/);
    expect((await gatehouse(['sessions', 'list', 'NOT VALID'])).stderr).toMatch(/^not a valid username: "NOT VALID"/);
    expect((await gatehouse(['sessions', 'revoke', 'alice'])).stderr).toMatch(/^give either a session id or --all/);
    expect((await gatehouse(['user', 'delete', 'alice', '--force'])).stderr).toMatch(/^Unknown option '--force'/);
    // A word too many is said, never dropped: this would otherwise remove alice alone.
    expect(await gatehouse(['user', 'delete', 'alice', 'bob', '--yes'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^unexpected argument "bob"\n/),
    });
    // Only the command's own options are options: not a cluster of flags, not a misspelling.
    for (const word of ['-yes', '-hy', '--yess']) {
      expect(await gatehouse(['user', 'delete', 'alice', word])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(new RegExp(`^Unknown option '${word}'\n`)),
      });
    }
    expect((await gatehouse(['sessions', 'revoke', 'alice', '-all'])).stderr).toMatch(/^not a session id: "-all" \(give one as sessions list prints it\)\n/);
    expect((await gatehouse(['sessions', 'list', 'alice', 'extra'])).stderr).toMatch(/^sessions list takes only a username\n/);
    expect((await gatehouse(['create-table', 'users'])).stderr).toMatch(/^unexpected argument "users"\n/);
    expect((await gatehouse(['sessions', 'list', 'alice'], { AUTH_STORE: 'postgres' })).stderr).toMatch(/^Invalid configuration: AUTH_STORE=/);
  });

  describe('against the store a running server uses', () => {
    let server: RunningServer;
    // One issuer for every server on this store, whatever port each listens on.
    const env = { AUTH_SQLITE_FILE: join(dir, 'cli.db'), AUTH_ISSUER: 'http://localhost:4000' };
    const tokens: Record<string, string> = {};
    beforeAll(async () => {
      server = await startServer(env);
      for (const name of ['alice', 'bob']) {
        expect((await postJson(`${server.url}/register`, { name, username: name, password: PASSWORD })).status).toBe(201);
      }
      const login = async (name: string, agent: string) =>
        (await postJson(`${server.url}/login`, { username: name, password: PASSWORD }, { 'user-agent': agent })).body.response.token as string;
      tokens.phone = await login('alice', 'Phone/1.0');
      tokens.laptop = await login('alice', 'Laptop/2.0');
      tokens.bob = await login('bob', 'Bob/1.0');
      for (const [token, text] of [
        [tokens.phone, 'from alice'],
        [tokens.bob, 'from bob'],
      ] as const) {
        expect((await postJson(`${server.url}/messages`, { text }, { authorization: `Bearer ${token}` })).status).toBe(201);
      }
    });
    afterAll(async () => {
      await server?.stop();
    });
    const verifies = async (token: string) => (await postJson(`${server.url}/verify`, { token })).status === 200;

    it("lists a user's sessions, and ends one at once, then all", async () => {
      const list = await gatehouse(['sessions', 'list', 'alice'], env);
      expect(list.code).toBe(0);
      const lines = list.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(list.stdout).toContain(String(decodeJwt(tokens.phone!).sid));
      expect(list.stdout).toMatch(/Phone\/1\.0/);
      expect(list.stdout).toMatch(/Laptop\/2\.0/);

      const one = await gatehouse(['sessions', 'revoke', 'alice', String(decodeJwt(tokens.phone!).sid)], env);
      expect(one).toMatchObject({ code: 0, stdout: `Ended session ${decodeJwt(tokens.phone!).sid} of alice\n` });
      // Every command says which store it opened.
      expect(one.stderr).toBe(`Store: sqlite ${env.AUTH_SQLITE_FILE}\n`);
      expect(await verifies(tokens.phone!)).toBe(false);
      expect(await verifies(tokens.laptop!)).toBe(true);
      expect((await gatehouse(['sessions', 'revoke', 'alice', String(decodeJwt(tokens.phone!).sid)], env)).code).toBe(1);

      expect((await gatehouse(['sessions', 'revoke', 'alice', '--all'], env)).stdout).toBe('Ended 1 session of alice\n');
      expect(await verifies(tokens.laptop!)).toBe(false);
      expect((await gatehouse(['sessions', 'list', 'alice'], env)).stdout).toBe('alice has no live sessions\n');
    });

    it('prints what others typed without control characters', async () => {
      // A user agent is whatever the client sent: here a C1 escape sequence and a C1 line break.
      await postJson(`${server.url}/login`, { username: 'bob', password: PASSWORD }, { 'user-agent': 'Sly/1.0 \u009b2J\u0085evil' });
      const list = await gatehouse(['sessions', 'list', 'bob'], env);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('  Sly/1.0 evil\n');
      expect(list.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      const sly = list.stdout
        .split('\n')
        .find((line) => line.endsWith('Sly/1.0 evil'))!
        .split(' ')[0]!;
      expect((await gatehouse(['sessions', 'revoke', 'bob', sly], env)).stdout).toBe(`Ended session ${sly} of bob\n`);
    });

    it("takes a session id or a username that begins with '-' or '--' as it is listed", async () => {
      // One session id in 64 begins with '-', one in 4096 with '--'; these are made so, in the store the server uses.
      const sids = ['-h8eEVf0QCpJ7WkGKX5NRw', '--8eEVf0QCpJ7WkGKX5NRw'];
      const store = sqliteStore({ file: env.AUTH_SQLITE_FILE });
      try {
        for (const sid of sids) {
          await createSession(store, systemClock, 3600, { username: 'alice', sid, userAgent: 'Dash/1.0', refresh: await newRefreshSecret() });
        }
      } finally {
        await store.close();
      }
      const listed = (await gatehouse(['sessions', 'list', 'alice'], env)).stdout;
      for (const sid of sids) {
        expect(listed).toContain(`${sid}  created `);
        expect(await gatehouse(['sessions', 'revoke', 'alice', sid], env)).toMatchObject({ code: 0, stdout: `Ended session ${sid} of alice\n` });
        expect(await gatehouse(['sessions', 'revoke', 'alice', sid], env)).toMatchObject({
          code: 1,
          stderr: expect.stringContaining(`No live session ${sid} for alice`),
        });
      }

      // A name made of flag letters, and one that begins like a long option.
      for (const name of ['-hy', '--dash']) {
        expect((await postJson(`${server.url}/register`, { name: 'Dash', username: name, password: PASSWORD })).status).toBe(201);
        expect((await postJson(`${server.url}/login`, { username: name, password: PASSWORD })).status).toBe(200);
        expect((await gatehouse(['sessions', 'list', name], env)).stdout).toMatch(/^\S+ {2}created /);
        expect(await gatehouse(['user', 'delete', name, '-y'], env)).toMatchObject({
          code: 0,
          stdout: `Removed ${name}: 1 session(s), 0 message(s), 0 passkey(s)\n`,
        });
      }
    });

    it('deletes a user and everything of theirs, only with --yes', async () => {
      const asked = await gatehouse(['user', 'delete', 'bob'], env);
      expect(asked.code).toBe(1);
      expect(asked.stderr).toMatch(/Run again with --yes/);
      expect(await verifies(tokens.bob!)).toBe(true);

      const done = await gatehouse(['user', 'delete', 'bob', '--yes'], env);
      expect(done).toMatchObject({ code: 0, stdout: 'Removed bob: 1 session(s), 1 message(s), 0 passkey(s)\n' });
      expect(await verifies(tokens.bob!)).toBe(false);
      expect((await postJson(`${server.url}/login`, { username: 'bob', password: PASSWORD })).status).toBe(401);
      const board = await (await fetch(`${server.url}/messages`)).json();
      expect(board.messages.map((m: { author: string }) => m.author)).toEqual(['alice']);
      const store = sqliteStore({ file: env.AUTH_SQLITE_FILE });
      expect(await store.get(userKey('bob'))).toBeUndefined();
      expect((await store.list(MESSAGES_PK)).map((m) => m.data.author)).toEqual(['alice']);
      await store.close();
      expect(await gatehouse(['user', 'delete', 'bob', '--yes'], env)).toMatchObject({
        code: 1,
        stderr: `Store: sqlite ${env.AUTH_SQLITE_FILE}\nNo such user: bob\n`,
      });
    });

    it('says so, exit 1, for a user that does not exist, and never makes a database of its own', async () => {
      expect(await gatehouse(['sessions', 'list', 'nobody'], env)).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `Store: sqlite ${env.AUTH_SQLITE_FILE}\nNo such user: nobody\n`,
      });
      expect((await gatehouse(['sessions', 'revoke', 'nobody', '--all'], env)).code).toBe(1);
      const missing = join(dir, 'never-made.db');
      expect(await gatehouse(['sessions', 'list', 'alice'], { AUTH_SQLITE_FILE: missing })).toMatchObject({
        code: 1,
        stderr: `No database at ${missing}: start the server once to make it, or set AUTH_SQLITE_FILE\n`,
      });
      expect(existsSync(missing)).toBe(false);
    });

    it('reads a relative AUTH_SQLITE_FILE from the project folder, wherever it is run from', async () => {
      const relative = `.data/cli-relative-${process.pid}.db`;
      // The server has the file open in WAL mode: its recent writes are in the -wal file beside it.
      for (const suffix of ['', '-wal'])
        if (existsSync(env.AUTH_SQLITE_FILE + suffix)) copyFileSync(env.AUTH_SQLITE_FILE + suffix, join(ROOT, relative + suffix));
      try {
        const run = await gatehouse(['sessions', 'list', 'alice'], { AUTH_SQLITE_FILE: relative }, join(ROOT, 'web'));
        expect(run.code).toBe(0);
        expect(run.stderr).toBe(`Store: sqlite ${join(ROOT, relative)}\n`);
        expect(existsSync(join(ROOT, 'web', '.data'))).toBe(false);
      } finally {
        for (const suffix of ['', '-wal', '-shm']) rmSync(join(ROOT, relative + suffix), { force: true });
      }
    });

    it('rotates the signing key: old tokens keep working, the old key leaves the JWKS once they have expired', async () => {
      const before = (await postJson(`${server.url}/login`, { username: 'alice', password: PASSWORD })).body.response.token as string;
      const oldKid = decodeProtectedHeader(before).kid!;
      const run = await gatehouse(['rotate-keys'], env);
      expect(run.code).toBe(0);
      const [, newKid, signsFrom] = /^New signing key (\S+): in the JWKS now, signing from (\S+)$/m.exec(run.stdout)!;
      expect(newKid).not.toBe(oldKid);
      // Published ten minutes before it signs, so every JWKS cache holds it first.
      expect(Date.parse(signsFrom!) - Date.now()).toBeGreaterThan(9 * 60_000);
      expect(Date.parse(signsFrom!) - Date.now()).toBeLessThanOrEqual(10 * 60_000);
      expect(run.stdout).toMatch(new RegExp(`^Key ${oldKid} leaves the JWKS at \\d{4}-`, 'm'));

      const store = sqliteStore({ file: env.AUTH_SQLITE_FILE });
      const keys = await store.list(KEYS_PK, { prefix: SIGNING_KEY_PREFIX });
      expect(keys.map((k) => k.data.kid)).toEqual([oldKid, newKid]);
      const retiring = keys.find((k) => k.data.kid === oldKid)!;
      // Ten minutes published ahead, five for every instance to switch, one token lifetime (3600 s), one minute spare.
      expect(retiring.expiresAt! - Date.now()).toBeGreaterThan((600 + 300 + 3600) * 1000);
      expect(retiring.expiresAt! - Date.now()).toBeLessThanOrEqual((600 + 300 + 3600 + 60) * 1000);
      expect(keys.find((k) => k.data.kid === newKid)!.expiresAt).toBeUndefined();
      await store.close();

      expect(await verifies(before)).toBe(true);
      // A server started now publishes both keys and keeps signing with the old one until the new one is active.
      const next = await startServer(env);
      try {
        const after = (await postJson(`${next.url}/login`, { username: 'alice', password: PASSWORD })).body.response.token as string;
        expect(decodeProtectedHeader(after).kid).toBe(oldKid);
        expect((await postJson(`${next.url}/verify`, { token: before })).status).toBe(200);
        const jwks = await (await fetch(`${next.url}/.well-known/jwks.json`)).json();
        expect(jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([oldKid, newKid].sort());
      } finally {
        await next.stop();
      }
    });
  });

  it('works on DynamoDB the same way', async () => {
    const table = uniqueTable('cli');
    await ensureTable(localClients().client, table);
    const env = { AUTH_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), AUTH_TABLE: table };
    const server = await startServer(env);
    try {
      await postJson(`${server.url}/register`, { name: 'Dee', username: 'dee', password: PASSWORD });
      const token = (await postJson(`${server.url}/login`, { username: 'dee', password: PASSWORD })).body.response.token as string;
      expect((await gatehouse(['sessions', 'list', 'dee'], env)).stdout).toContain(String(decodeJwt(token).sid));
      expect((await gatehouse(['user', 'delete', 'dee', '--yes'], env)).stdout).toBe('Removed dee: 1 session(s), 0 message(s), 0 passkey(s)\n');
      expect((await postJson(`${server.url}/verify`, { token })).status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
