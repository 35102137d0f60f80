import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy between a server and DynamoDB Local that breaks requests the way networks and
 * services do. Each HTTP request that passes is, by chance:
 * - `delay`: sent on, and its answer held back for good (the client gives up and retries);
 * - `cut`: sent on, and the connection closed as soon as the answer starts (the write landed,
 *   its author never hears);
 * - `error500`: answered 500 InternalServerError without reaching the store;
 * - `error503After`: sent on, and answered 503 ServiceUnavailable instead of the real answer;
 * - or passed through untouched.
 */
export type Fault = 'delay' | 'cut' | 'error500' | 'error503After';
export type FaultPlan = Partial<Record<Fault, number>>;

export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen and faults injected since the last reset. */
  readonly counts: Record<Fault | 'passed', number>;
  setPlan(plan: FaultPlan): void;
  resetCounts(): void;
  close(): Promise<void>;
}

/** A small deterministic generator, so a failing run can be repeated with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const FAULTS: readonly Fault[] = ['delay', 'cut', 'error500', 'error503After'];

function errorAnswer(status: 500 | 503): Buffer {
  const type = status === 500 ? 'InternalServerError' : 'ServiceUnavailable';
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'injected by the test proxy' });
  return Buffer.from(
    `HTTP/1.1 ${status} ${status === 500 ? 'Internal Server Error' : 'Service Unavailable'}\r\n` +
      `Content-Type: application/x-amz-json-1.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The length of the first complete HTTP request in `buffer`, or 0 while it is incomplete. */
function requestLength(buffer: Buffer): number {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return 0;
  const head = buffer.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const total = end + 4 + (length ? Number(length[1]) : 0);
  return buffer.length >= total ? total : 0;
}

export async function startFaultProxy(target: { host: string; port: number }, seed = 20261202): Promise<FaultProxy> {
  const next = random(seed);
  let plan: FaultPlan = {};
  const counts = { passed: 0, delay: 0, cut: 0, error500: 0, error503After: 0 };
  const sockets = new Set<Socket>();

  const choose = (): Fault | 'passed' => {
    let roll = next();
    for (const fault of FAULTS) {
      roll -= plan[fault] ?? 0;
      if (roll < 0) return fault;
    }
    return 'passed';
  };

  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.once('close', () => sockets.delete(client));
    upstream.once('close', () => sockets.delete(upstream));
    let pending = Buffer.alloc(0);
    // What to do with the answer to the request in flight on this connection.
    let answer: Fault | 'passed' = 'passed';
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);

    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let length = requestLength(pending); length > 0; length = requestLength(pending)) {
        const request = pending.subarray(0, length);
        pending = pending.subarray(length);
        answer = choose();
        counts[answer]++;
        if (answer === 'error500') {
          client.end(errorAnswer(500));
          upstream.destroy();
          return;
        }
        upstream.write(request);
      }
    });

    upstream.on('data', (chunk: Buffer) => {
      switch (answer) {
        case 'passed':
          client.write(chunk);
          return;
        case 'delay':
          // Held back: the client gives up on its own.
          return;
        case 'cut':
          closeBoth();
          return;
        case 'error503After':
          client.end(errorAnswer(503));
          upstream.destroy();
          return;
        case 'error500':
          return;
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    setPlan: (next) => {
      plan = next;
    },
    resetCounts: () => {
      for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
