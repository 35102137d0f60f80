/** Load, latency and CPU measurements shared by every figure of the benchmark. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import type { RunningServer } from '../test/helpers/server';

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** User + system CPU time of a process so far, in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

export interface LoadSample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** The server's CPU time (all its threads) per answered request. */
  readonly cpuMsPerRequest: number;
  /** 503 answers (store_unavailable), when allowed; not counted in rps. */
  readonly unavailable: number;
}

/**
 * Requests per second with autocannon; a non-2xx answer or a socket error fails the run, except —
 * when `storeMayStall` (DynamoDB Local, which pauses now and then on a busy machine) — a few 503
 * `store_unavailable` answers, which are counted apart; a window with more (a pause that took a
 * good part of it) is measured again, up to 3 times. A window in which not one request completed
 * (slow requests on a very busy machine) is tried again, longer.
 */
export async function load(server: RunningServer, seconds: number, options: autocannon.Options, storeMayStall = false): Promise<LoadSample> {
  let duration = seconds;
  let stalled = 0;
  for (;;) {
    const before = cpuMs(server.process.pid!);
    const result = await autocannon({ duration, connections: 10, ...options });
    const used = cpuMs(server.process.pid!) - before;
    const codes = Object.entries(result.statusCodeStats ?? {}).filter(([code]) => !code.startsWith('2'));
    const unavailable = result.statusCodeStats?.['503']?.count ?? 0;
    const onlyStalls = storeMayStall && codes.every(([code]) => code === '503') && result.errors === 0;
    if (onlyStalls && unavailable > 0.05 * result.requests.total && stalled < 3) {
      stalled++;
      continue;
    }
    const tolerated = onlyStalls && unavailable <= 0.05 * result.requests.total;
    if ((result.non2xx > 0 && !tolerated) || result.errors > 0) {
      throw new Error(
        `${options.url}: ${result.errors} errors, ${result.non2xx} non-2xx answers (${codes.map(([code, { count }]) => `${count} × ${code}`).join(', ')})`,
      );
    }
    const answered = result.requests.total - unavailable;
    if (answered === 0 && duration < seconds * 9) {
      duration *= 3;
      continue;
    }
    if (answered === 0) throw new Error(`${options.url}: no answer in ${duration} s`);
    return {
      unavailable,
      rps: answered / (result.duration || duration),
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuMsPerRequest: used / answered,
    };
  }
}

/**
 * A kept-alive connection is dropped after 2 s idle, well before the 5 s after which Node's
 * servers close one: a request sent on a connection the server is closing at that moment would be
 * cut off ("socket hang up"), and the bench's gaps between requests to one server (another
 * server's turn, a start-up) are often about 5 s.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1, timeout: 2_000 });

/**
 * One POST over a kept-alive connection; resolves with the status and body once it has all arrived.
 * A request cut off before any answer on a connection used before is sent once more on a new one,
 * as Node advises: the server may have closed that connection as the request went out.
 */
export function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  retried = false,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && !retried && error.code === 'ECONNRESET') resolve(post(url, body, headers, true));
      else reject(new Error(`POST ${url}: ${error.message}`, { cause: error }));
    });
    req.end(body);
  });
}

/**
 * The time (ms, to the microsecond) of one POST answered 200. With `storeMayStall`, a 503 answer is
 * sent again and not timed (at most 10 times).
 */
export async function timedPost(url: string, body: string, storeMayStall = false): Promise<number> {
  for (let stalls = 0; ; stalls++) {
    const started = performance.now();
    const res = await post(url, body);
    const ms = performance.now() - started;
    if (res.status === 503 && storeMayStall && stalls < 10) continue;
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${res.body}`);
    return ms;
  }
}

/** Median latency of `count` requests sent one after another. */
export async function sequentialMedian(url: string, body: string, count: number, storeMayStall = false): Promise<number> {
  const times: number[] = [];
  while (times.length < count) times.push(await timedPost(url, body, storeMayStall));
  return median(times);
}

/**
 * The median of `count` timings of each step, taken in turns — one of each, the order rotating
 * from turn to turn — so that every step meets the same moments of a machine whose speed drifts
 * within a second, not only within a round.
 */
export async function interleavedMedians(count: number, steps: readonly (() => Promise<number>)[]): Promise<number[]> {
  const times = steps.map((): number[] => []);
  for (let turn = 0; turn < count; turn++) {
    for (let i = 0; i < steps.length; i++) {
      const step = (turn + i) % steps.length;
      times[step]!.push(await steps[step]!());
    }
  }
  return times.map(median);
}

/** Each round measures the baseline and the subject back to back, in alternating order. */
export async function pair<B, S>(round: number, baseline: () => Promise<B>, subject: () => Promise<S>): Promise<{ baseline: B; subject: S }> {
  if (round % 2 === 1) {
    const b = await baseline();
    return { baseline: b, subject: await subject() };
  }
  const s = await subject();
  return { baseline: await baseline(), subject: s };
}
