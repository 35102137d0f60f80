import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
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

type At = { connection: number; request: number };

/**
 * A server on a free port that numbers its connections and each one's requests, from 1, and
 * answers a request with `respond` once its body has arrived.
 */
async function numbering(respond: (at: At, res: ServerResponse, socket: Socket) => void) {
  const requestsOn = new Map<Socket, number>();
  const numberOf = new Map<Socket, number>();
  const server = createServer((req, res) => {
    const socket = req.socket;
    const at = { connection: numberOf.get(socket)!, request: (requestsOn.get(socket) ?? 0) + 1 };
    requestsOn.set(socket, at.request);
    req.resume();
    req.on('end', () => respond(at, res, socket));
  });
  server.on('connection', (socket: Socket) => numberOf.set(socket, numberOf.size + 1));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/login`, connections: () => numberOf.size };
}

/** Answers each request with its numbers, except those `cut` says to end the connection on instead, unanswered. */
const answering = (cut: (at: At) => boolean = () => false) => numbering((at, res, socket) => (cut(at) ? socket.destroy() : res.end(JSON.stringify(at))));

const answer = async (url: string) => {
  const res = await post(url, '{}');
  return { status: res.status, ...(JSON.parse(res.body) as At) };
};

describe("the bench's POST", () => {
  it('keeps a connection for requests sent one after another', async () => {
    const server = await answering();
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 1 });
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 2 });
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 3 });
  });

  it('sends a request again on a new connection when the server closed the kept one as it went out', async () => {
    // The server ends its first connection on the second request, as a server whose idle time
    // ran out at that moment does.
    const server = await answering(({ connection, request }) => connection === 1 && request === 2);
    expect(await answer(server.url)).toEqual({ status: 200, connection: 1, request: 1 });
    expect(await answer(server.url)).toEqual({ status: 200, connection: 2, request: 1 });
    expect(server.connections()).toBe(2);
  });

  it('fails, naming the URL, when a new connection is cut off too', async () => {
    const server = await answering(({ connection, request }) => connection > 1 || request > 1);
    await answer(server.url);
    await expect(post(server.url, '{}')).rejects.toThrow(`POST ${server.url}: socket hang up`);
    expect(server.connections()).toBe(2);
  });

  it('drops a connection idle for 2 s, before a Node server would close it', async () => {
    const server = await answering();
    expect(await answer(server.url)).toMatchObject({ connection: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await answer(server.url)).toEqual({ status: 200, connection: 2, request: 1 });
  });
});

describe("the bench's load", () => {
  /**
   * Answers 503 store_unavailable on the connections `stalling` names, 200 on others: each window
   * of the load opens 10 connections of its own.
   */
  const stallingServer = async (stalling: (connection: number) => boolean) => {
    const server = await numbering(({ connection }, res) => {
      if (stalling(connection)) res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":"store_unavailable"}');
      else res.end('{}');
    });
    // The load's CPU figure reads a process's /proc entry: this one's, as the server runs in it.
    return { ...server, running: { process: { pid: process.pid } } as unknown as RunningServer };
  };

  it('measures a window again when the store stalled through it, and counts only the answers', async () => {
    // A stall through the whole first window: every one of its connections.
    const server = await stallingServer((connection) => connection <= 10);
    const sample = await load(server.running, 0.3, { url: server.url, method: 'POST', body: '{}' }, true);
    expect(server.connections()).toBe(20);
    expect(sample.rps).toBeGreaterThan(0);
    expect(sample.unavailable).toBe(0);
  });

  it('fails on 503 answers where the store is not expected to stall, naming them', async () => {
    const server = await stallingServer(() => true);
    await expect(load(server.running, 0.2, { url: server.url, method: 'POST', body: '{}' })).rejects.toThrow(/\d+ non-2xx answers \(\d+ × 503\)/);
  });

  it('fails when the store stalls through every window it measures again', async () => {
    const server = await stallingServer(() => true);
    await expect(load(server.running, 0.2, { url: server.url, method: 'POST', body: '{}' }, true)).rejects.toThrow(/× 503/);
    // The first window and 3 more.
    expect(server.connections()).toBe(40);
  });
});
