import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { postJson, startServer } from './helpers/server';
import { serverStores } from './helpers/server-stores';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start-up against a DynamoDB it cannot use', () => {
  const AWS_BLANK = {
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
    AWS_PROFILE: '',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_ENDPOINT_URL: '',
    AWS_ENDPOINT_URL_DYNAMODB: '',
  };

  it('stops with one line naming AWS_REGION when no region is set', async () => {
    await expect(
      startServer({ ...AWS_BLANK, AUTH_STORE: 'dynamodb', AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') }),
    ).rejects.toThrow(/server exited with 1:\nGatehouse cannot use its store \(dynamodb table gatehouse\): no AWS region is set \(set AWS_REGION\)\n$/);
  });

  it('stops with one line naming AUTH_TABLE when the table does not exist', async () => {
    // 127.0.0.2 reaches the same DynamoDB Local, but is not taken for a local endpoint, so the
    // server looks for the table as it would on AWS instead of creating it.
    const endpoint = inject('dynamoEndpoint').replace('127.0.0.1', '127.0.0.2');
    const env = {
      ...AWS_BLANK,
      AUTH_STORE: 'dynamodb',
      AUTH_TABLE: 'never-created',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    await expect(startServer(env)).rejects.toThrow(
      /server exited with 1:\nGatehouse cannot use its store \(dynamodb table never-created at http:\/\/127\.0\.0\.2:\d+\): the table does not exist \(check AUTH_TABLE and AWS_REGION\)\n$/,
    );
  });
});

describe.each(serverStores)('the server entry over real HTTP, on $name', (kind) => {
  it('serves the tutorial flow: register → login → verify → profile → logout → verify refused', async () => {
    const env = kind.env(dir, 'flow');
    const server = await startServer(env);
    try {
      expect(server.output()).toMatch(new RegExp(`Gatehouse listening on http://localhost:\\d+ \\(store: ${kind.name} .*\\)`));
      const url = server.url;
      const user = { name: 'Arindam Halder', username: 'arindam369', password: 'a long and unusual passphrase' };

      const registered = await postJson(`${url}/register`, user);
      expect(registered.status).toBe(201);
      expect(registered.body).toEqual({ message: 'User registered successfully', user: { username: 'arindam369', name: 'Arindam Halder' } });

      const login = await postJson(`${url}/login`, { username: user.username, password: user.password });
      expect(login.status).toBe(200);
      const token = login.body.response.token as string;
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

      const verified = await postJson(`${url}/verify`, { username: user.username, token });
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({ verified: true, message: 'success', username: 'arindam369', amr: ['pwd'], token });

      const profile = await fetch(`${url}/user/myprofile`, { headers: { cookie } });
      expect(profile.status).toBe(200);
      expect(await profile.json()).toMatchObject({ username: 'arindam369', name: 'Arindam Halder' });

      const logout = await postJson(`${url}/logout`, { username: user.username, token });
      expect(logout.status).toBe(200);
      expect(logout.body).toEqual({ message: 'Logged out successfully' });

      const refused = await postJson(`${url}/verify`, { username: user.username, token });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ verified: false, message: 'User is not authenticated', code: 'session_revoked' });

      const health = await fetch(`${url}/health`);
      expect(await health.json()).toEqual({ status: 'ok' });

      // Bodies over 16 KiB are refused, whether their length is declared or streamed in chunks.
      const big = JSON.stringify({ ...user, username: 'big', pad: 'x'.repeat(20 * 1024) });
      const declared = await fetch(`${url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toEqual({ message: 'Request body too large (limit 16 KiB)', code: 'payload_too_large' });
      const chunks = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(i ? 'x'.repeat(1024) : '{"pad":"'));
          controller.close();
        },
      });
      const streamed = await fetch(`${url}/register`, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
      expect(streamed.status).toBe(413);
      expect((await postJson(`${url}/login`, { username: 'big', password: user.password })).status).toBe(401);
    } finally {
      const code = await server.stop();
      expect(code).toBe(0);
      expect(server.output()).toContain('Gatehouse stopping (SIGTERM)');
    }
  });

  it("behind a proxy, counts limits against the socket's address when the entry the proxy appended is not an IP address", async () => {
    const server = await startServer({ ...kind.env(dir, 'proxy'), AUTH_TRUST_PROXY: 'true' });
    try {
      const password = 'a long and unusual passphrase';
      expect((await postJson(`${server.url}/register`, { name: 'Alice', username: 'alice', password })).status).toBe(201);
      const login = async (forwardedFor: string, guess = 'a wrong guess of it') =>
        (await postJson(`${server.url}/login`, { username: 'alice', password: guess }, { 'x-forwarded-for': forwardedFor })).status;
      const statuses: number[] = [];
      for (const forwardedFor of ['198.51.100.7, unknown', 'unknown', '198.51.100.7, 203.0.113.5:443', '_hidden', '', '198.51.100.7, unknown']) {
        statuses.push(await login(forwardedFor));
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      // An address the proxy appended is still the client: this one has failed nothing.
      expect(await login('198.51.100.7, 203.0.113.5', password)).toBe(200);
      expect(await login('2001:db8::5', password)).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('the server entry', () => {
  it('closes cleanly on SIGINT too', async () => {
    const server = await startServer({ AUTH_SQLITE_FILE: join(dir, 'sigint.db') });
    expect(await server.stop('SIGINT')).toBe(0);
    expect(server.output()).toContain('Gatehouse stopping (SIGINT)');
  });

  it('stops with one line when the key-encryption key is not the one that sealed the stored keys, and starts again with the right one', async () => {
    const file = join(dir, 'sealed.db');
    const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
    const first = await startServer({ AUTH_SQLITE_FILE: file, AUTH_KEY_ENCRYPTION_KEY: key(1) });
    expect((await postJson(`${first.url}/register`, { name: 'K', username: 'sealed', password: 'sealed passphrase 2026' })).status).toBe(201);
    expect(await first.stop()).toBe(0);

    await expect(startServer({ AUTH_SQLITE_FILE: file, AUTH_KEY_ENCRYPTION_KEY: key(2) })).rejects.toThrow(
      /server exited with 1:\nGatehouse cannot open the stored keys with the key in AUTH_KEY_ENCRYPTION_KEY: it is not the key they were sealed with\n$/,
    );
    const again = await startServer({ AUTH_SQLITE_FILE: file, AUTH_KEY_ENCRYPTION_KEY: key(1) });
    try {
      expect((await postJson(`${again.url}/login`, { username: 'sealed', password: 'sealed passphrase 2026' })).status).toBe(200);
    } finally {
      await again.stop();
    }
  });

  it('refuses to start on bad configuration, with one line naming the variable', async () => {
    await expect(startServer({ AUTH_ACCESS_TOKEN_TTL: 'soon', AUTH_SQLITE_FILE: join(dir, 'bad.db') })).rejects.toThrow(
      /server exited with 1:\nInvalid configuration: AUTH_ACCESS_TOKEN_TTL="soon": must be a whole number from 60 to 86400\n$/,
    );
  });
});

describe('durability', () => {
  it('keeps every acknowledged registration through kill -9', async () => {
    const file = join(dir, 'durable.db');
    const password = 'durable passphrase 2026';
    const first = await startServer({ AUTH_SQLITE_FILE: file });
    const names = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const results = await Promise.all(names.map((username) => postJson(`${first.url}/register`, { name: username, username, password })));
    expect(results.map((r) => r.status)).toEqual(names.map(() => 201));
    await first.kill();
    expect(first.process.signalCode).toBe('SIGKILL');

    const second = await startServer({ AUTH_SQLITE_FILE: file });
    try {
      const logins = await Promise.all(names.map((username) => postJson(`${second.url}/login`, { username, password })));
      expect(logins.map((r) => r.status)).toEqual(names.map(() => 200));
      expect(logins.map((r) => r.body.response.username)).toEqual(names);
    } finally {
      await second.stop();
    }
  });
});
