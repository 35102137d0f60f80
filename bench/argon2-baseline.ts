/**
 * The login baselines: bare Argon2id verifies at Gatehouse's own parameters, in a child process
 * started exactly like the server (same Node, same loader, same environment, so the same libuv
 * thread pool). The parent asks over stdin, one JSON line per job, and reads one JSON line back:
 * - {"sequential": n}: n verifies one after another → {"medianMs"}
 * - {"concurrent": c, "seconds": s}: c verifies in flight at all times for s seconds → {"perSecond"}
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hash, verify } from '@node-rs/argon2';
import { ARGON2_DEFAULTS, ARGON2ID } from '../src/hashing/argon2-hasher';
import { median } from './measure';

export interface Argon2Baseline {
  sequentialMedianMs(count: number): Promise<number>;
  concurrentPerSecond(concurrency: number, seconds: number): Promise<number>;
  readonly pid: number;
  stop(): Promise<void>;
}

export function startArgon2Baseline(root: string, password: string, env: Record<string, string> = {}): Argon2Baseline {
  const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, fileURLToPath(import.meta.url), password], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  const ask = (job: object) =>
    new Promise<Record<string, number>>((resolve) => {
      waiting.push((line) => resolve(JSON.parse(line) as Record<string, number>));
      child.stdin!.write(JSON.stringify(job) + '\n');
    });
  return {
    pid: child.pid!,
    sequentialMedianMs: async (count) => (await ask({ sequential: count })).medianMs!,
    concurrentPerSecond: async (concurrency, seconds) => (await ask({ concurrent: concurrency, seconds })).perSecond!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

async function serve(password: string): Promise<void> {
  const stored = await hash(password, { ...ARGON2_DEFAULTS, algorithm: ARGON2ID });
  const check = async () => {
    if (!(await verify(stored, password))) throw new Error('the baseline hash does not verify');
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const job = JSON.parse(line) as { sequential?: number; concurrent?: number; seconds?: number };
    if (job.sequential) {
      const times: number[] = [];
      for (let i = 0; i < job.sequential; i++) {
        const started = performance.now();
        await check();
        times.push(performance.now() - started);
      }
      process.stdout.write(JSON.stringify({ medianMs: median(times) }) + '\n');
    } else if (job.concurrent && job.seconds) {
      // As autocannon counts: what completed within the duration, over the duration (longer if
      // not one verify completed in it, on a very busy machine).
      const started = performance.now();
      const until = started + job.seconds * 1000;
      let done = 0;
      let end = until;
      const worker = async () => {
        while (performance.now() < until || done === 0) {
          await check();
          const now = performance.now();
          if (now <= until) done++;
          else if (done === 0) {
            done = 1;
            end = now;
          }
        }
      };
      await Promise.all(Array.from({ length: job.concurrent }, worker));
      process.stdout.write(JSON.stringify({ perSecond: done / ((end - started) / 1000) }) + '\n');
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(process.argv[2]!);
