import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { load, post } from '../bench/measure';
import type { RunningServer } from './helpers/server';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * A server that answers every request with the connection's number and its request number on it;
 * `cut(connection, request)` says which requests it ends the connection on instead, unanswered.
 */
async function numbering(cut: (connection: number, request: number) => boolean = () => false) {
  const requestsOn = new Map<Socket, number>();
  const numberOf = new Map<Socket, number>();
  const server = createServer((req, res) => {
    const socket = req.socket;
    const connection = numberOf.get(socket)!;
    const request = (requestsOn.get(socket) ?? 0) + 1;
    requestsOn.set(socket, request);
    req.resume();
    req.on('end', () => {
      if (cut(connection, request)) socket.destroy();
      else res.end(JSON.stringify({ connection, request }));
    });
  });
  server.on('connection', (socket: Socket) => numberOf.set(socket, numberOf.size + 1));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/login`, connections: () => numberOf.size };
}

const answer = async (url: string) => {
  const res = await post(url, '{}');
  return { status: res.status, ...(JSON.parse(res.body) as { connection: number; request: number }) };
};

describe("the bench's POST", () => {
  it('keeps a connection for requests sent one after another', async () => {
    const server = await numbering();
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 1 });
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 2 });
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 3 });
  });

  it('sends a request again on a new connection when the server closed the kept one as it went out', async () => {
    // The server ends its first connection on the second request, as a server whose idle time
    // ran out at that moment does.
    const server = await numbering((connection, request) => connection === 1 && request === 2);
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 1 });
    expect(await answer(server.url)).toEqual({ status: 200, connection: 2, request: 1 });
    expect(server.connections()).toBe(2);
  });

  it('fails, naming the URL, when a new connection is cut off too', async () => {
    const server = await numbering((connection, request) => connection > 1 || request > 1);
    await answer(server.url);
    await expect(post(server.url, '{}')).rejects.toThrow(`POST ${server.url}: socket hang up`);
    expect(server.connections()).toBe(2);
  });

  it('drops a connection idle for 2 s, before a Node server would close it', async () => {
    const server = await numbering();
    expect(await answer(server.url)).toMatchObject({ connection: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await answer(server.url)).toEqual({ status: 200, connection: 2, request: 1 });
  });
});

describe("the bench's load", () => {
  /** A server that answers 503 to every request while `stalling()` says so, and 200 otherwise. */
  async function stallingServer(stalling: () => boolean) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (stalling()) res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":"store_unavailable"}');
        else res.end('{}');
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/verify`;
    // The load's CPU figure reads a process's /proc entry: this one's, as the server runs in it.
    return { url, running: { process: { pid: process.pid } } as unknown as RunningServer };
  }

  it('measures a window again when the store stalled through a good part of it, and counts only the answers', async () => {
    const started = performance.now();
    // A stall through the first 0.3 s: a good part of the first window.
    const { url, running } = await stallingServer(() => performance.now() - started < 300);
    const sample = await load(running, 0.3, { url, method: 'POST', body: '{}' }, true);
    expect(sample.rps).toBeGreaterThan(0);
    expect(sample.unavailable).toBeLessThanOrEqual(sample.rps * 0.3 * 0.06);
  });

  it('fails on 503 answers where the store is not expected to stall, naming them', async () => {
    const { url, running } = await stallingServer(() => true);
    await expect(load(running, 0.2, { url, method: 'POST', body: '{}' })).rejects.toThrow(/\d+ non-2xx answers \(\d+ × 503\)/);
  });

  it('fails when the store stalls through every window it measures again', async () => {
    const { url, running } = await stallingServer(() => true);
    await expect(load(running, 0.2, { url, method: 'POST', body: '{}' }, true)).rejects.toThrow(/× 503/);
  });
});
