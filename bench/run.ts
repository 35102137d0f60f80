/**
 * `npm run bench`: Gatehouse against its baselines, in one run, interleaved round by round so a
 * busy machine slows every figure alike. Prints a table of each figure and its ratio to its
 * baseline, writes bench/results.json and bench/ratios.svg (shown in the README).
 * `--quick` runs one short round (for the smoke test); `--out DIR` writes elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hash, verify } from '@node-rs/argon2';
import autocannon from 'autocannon';
import { startDynamoDbLocal } from '../src/dev/dynamodb-local';
import { postJson, type RunningServer, startServer } from '../test/helpers/server';
import { ratioChart } from './chart';
import { measureColdStarts } from './cold-start';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1]! : join(ROOT, 'bench');
const ROUNDS = QUICK ? 1 : 4;
const SECONDS = QUICK ? 1 : 3;
const PASSWORD = 'benchmark passphrase 2026';
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** User + system CPU time of a process so far, in ms (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
}

async function load(server: RunningServer, options: autocannon.Options): Promise<Sample> {
  const before = cpuMs(server.process.pid!);
  const result = await autocannon({ duration: SECONDS, connections: 10, ...options });
  const used = cpuMs(server.process.pid!) - before;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${options.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMsPerRequest: used / Math.max(1, result.requests.total) };
}

/** Median latency of sequential requests, to the microsecond (autocannon rounds to whole ms). */
async function sequentialMedian(send: () => Promise<Response>, count: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await send();
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`sequential probe answered ${res.status}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function argon2Median(count: number): Promise<number> {
  const stored = await hash(PASSWORD, { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await verify(stored, PASSWORD);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const local = await startDynamoDbLocal({ inMemory: true });
  const limits = { AUTH_CLIENT_LOGINS_PER_10_MIN: '1000000', AUTH_CLIENT_REGISTRATIONS_PER_10_MIN: '1000000', LOG_LEVEL: 'warn' };
  const servers: RunningServer[] = [];
  try {
    const hello = await startServer({}, { script: join(ROOT, 'bench', 'hello-server.ts') });
    servers.push(hello);
    const stores = [
      { store: 'sqlite', env: { ...limits, AUTH_SQLITE_FILE: join(dir, 'bench.db') } },
      { store: 'dynamodb', env: { ...limits, AUTH_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: local.endpoint, AUTH_TABLE: 'bench' } },
    ];
    const gatehouses = [];
    for (const { store, env } of stores) {
      const server = await startServer(env);
      servers.push(server);
      await postJson(`${server.url}/register`, { name: 'Bench', username: 'bench', password: PASSWORD });
      const token = (await postJson(`${server.url}/login`, { username: 'bench', password: PASSWORD })).body.response.token as string;
      gatehouses.push({ store, server, token });
    }

    const json = { 'content-type': 'application/json' };
    let registered = 0;
    const figures = new Map<string, Sample[]>();
    const record = (name: string, sample: Sample) => figures.set(name, [...(figures.get(name) ?? []), sample]);
    const loginLatency = new Map<string, number[]>();
    const argon2: number[] = [];

    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`round ${round}/${ROUNDS}\n`);
      record('hello-world', await load(hello, { url: hello.url }));
      argon2.push(await argon2Median(QUICK ? 5 : 30));
      for (const { store, server, token } of gatehouses) {
        record(`verify ${store}`, await load(server, { url: `${server.url}/verify`, method: 'POST', headers: json, body: JSON.stringify({ token }) }));
        record(`profile ${store}`, await load(server, { url: `${server.url}/user/myprofile`, headers: { authorization: `Bearer ${token}` } }));
        record(
          `login ${store}`,
          await load(server, {
            url: `${server.url}/login`,
            method: 'POST',
            headers: json,
            body: JSON.stringify({ username: 'bench', password: PASSWORD }),
            connections: 2,
          }),
        );
        record(
          `register ${store}`,
          await load(server, {
            url: `${server.url}/register`,
            connections: 2,
            requests: [
              {
                method: 'POST',
                path: '/register',
                headers: json,
                setupRequest: (request) => ({ ...request, body: JSON.stringify({ name: 'Bench', username: `b${round}-${registered++}`, password: PASSWORD }) }),
              },
            ],
          }),
        );
        const login = () => fetch(`${server.url}/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'bench', password: PASSWORD }) });
        loginLatency.set(store, [...(loginLatency.get(store) ?? []), await sequentialMedian(login, QUICK ? 5 : 30)]);
      }
    }

    const summary = Object.fromEntries(
      [...figures].map(([name, samples]) => [
        name,
        {
          rps: Math.round(median(samples.map((s) => s.rps))),
          p50Ms: median(samples.map((s) => s.p50)),
          p99Ms: median(samples.map((s) => s.p99)),
          cpuMsPerRequest: Number(median(samples.map((s) => s.cpuMsPerRequest)).toFixed(3)),
        },
      ]),
    );
    const argon2Ms = median(argon2);
    const cold = await measureColdStarts(QUICK ? 1 : 5);
    const api = cold.find((c) => c.fn === 'api')!;
    const helloRps = summary['hello-world']!.rps;

    const rows = [
      ...Object.entries(summary)
        .filter(([name]) => name !== 'hello-world')
        .map(([name, s]) => ({
          figure: `${name} req/s`,
          value: s.rps,
          baseline: helloRps,
          ratio: s.rps / helloRps,
          budget: name.startsWith('verify ') ? '≥ 0.50' : '',
        })),
      ...[...loginLatency].map(([store, values]) => {
        const value = median(values);
        return {
          figure: `login ${store} median ms`,
          value,
          baseline: argon2Ms,
          ratio: value / argon2Ms,
          budget: `≤ Argon2 + 3 ms (${(argon2Ms + 3).toFixed(1)})`,
        };
      }),
      ...cold.map((c) => ({
        figure: `${c.fn}.mjs size KiB`,
        value: c.bytes / 1024,
        baseline: 1536,
        ratio: c.bytes / 1024 / 1536,
        budget: c.fn === 'api' ? '≤ 1.00' : '',
      })),
      ...cold.map((c) => ({
        figure: `${c.fn}.mjs cold start ms`,
        value: c.medianMs,
        baseline: 150,
        ratio: c.medianMs / 150,
        budget: c.fn === 'api' ? '≤ 1.00' : '',
      })),
    ];
    const budgets = [
      { name: '/verify (SQLite) ≥ 50 % of hello-world throughput', ok: summary['verify sqlite']!.rps >= 0.5 * helloRps },
      { name: '/login (SQLite) median ≤ one Argon2id verify + 3 ms', ok: median(loginLatency.get('sqlite')!) <= argon2Ms + 3 },
      { name: 'api.mjs ≤ 1.5 MB', ok: api.bytes <= 1.5 * 1024 * 1024 },
      { name: 'api.mjs cold start ≤ 150 ms', ok: api.medianMs <= 150 },
    ];

    const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
    const lines = [
      `Gatehouse benchmark — ${cpus().length} cores, Node ${process.version}, ${ROUNDS} interleaved rounds of ${SECONDS} s`,
      `hello-world baseline: ${helloRps} req/s · Argon2id verify (m=19 MiB, t=2, p=1): ${argon2Ms.toFixed(2)} ms`,
      '',
      `${'figure'.padEnd(30)} ${'value'.padStart(9)} ${'baseline'.padStart(9)} ${'ratio'.padStart(7)}  budget`,
      ...rows.map((r) => `${r.figure.padEnd(30)} ${fmt(r.value).padStart(9)} ${fmt(r.baseline).padStart(9)} ${r.ratio.toFixed(2).padStart(7)}  ${r.budget}`),
      '',
      ...Object.entries(summary).map(([name, s]) => `${name.padEnd(20)} p50 ${s.p50Ms} ms  p99 ${s.p99Ms} ms  server CPU ${s.cpuMsPerRequest} ms/request`),
      '',
      ...budgets.map((b) => `${b.ok ? 'met   ' : 'MISSED'} ${b.name}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');

    mkdirSync(OUT, { recursive: true });
    const results = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, node: process.version },
      rounds: ROUNDS,
      seconds: SECONDS,
      helloRps,
      argon2Ms,
      figures: summary,
      loginMedianMs: Object.fromEntries([...loginLatency].map(([k, v]) => [k, median(v)])),
      bundles: cold,
      rows,
      budgets,
    };
    writeFileSync(join(OUT, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(OUT, 'ratios.svg'), ratioChart(rows.map((r) => ({ label: r.figure, ratio: r.ratio }))));
  } finally {
    for (const server of servers) await server.stop();
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
