/**
 * `npm run bench`: the budgets of SPEC §10, each as a ratio to a baseline measured in the same run,
 * interleaved — every round measures baseline and subject back to back, in alternating order, and
 * a ratio is the median of the rounds' ratios. Prints the table, writes bench/results.json and
 * bench/ratios.svg. `--quick` runs one short round (the smoke test); `--out DIR` writes elsewhere.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DynamoDbLocal, startDynamoDbLocal } from '../src/dev/dynamodb-local';
import { ARGON2_DEFAULTS } from '../src/hashing/argon2-hasher';
import { type RunningServer, startServer } from '../test/helpers/server';
import { startArgon2Baseline } from './argon2-baseline';
import { ratioChart } from './chart';
import { measureColdStarts } from './cold-start';
import { interleavedMedians, type LoadSample, load, median, pair, sequentialMedian, timedPost } from './measure';
import { countRoundTrips } from './round-trips';
import { type Paired, tableRows } from './rows';
import { type Subject, startSubject } from './subjects';
import { formatTable, status } from './table';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1]! : join(ROOT, 'bench');
// Many short rounds rather than a few long ones: a burst of load from elsewhere on a shared machine
// then spoils a round or two, and the median of the rounds' ratios passes over them.
const ROUNDS = QUICK ? 1 : 16;
/** DynamoDB Local is measured every other round. */
const DYNAMO_ROUNDS = QUICK ? 1 : 8;
const SECONDS = QUICK ? 0.5 : 1.5;
const WARM_UP_SECONDS = QUICK ? 0.2 : 1;
const LOGINS = QUICK ? 5 : 25;
const COLD_RUNS = QUICK ? 1 : 11;
const CONNECTIONS = 10;
const PASSWORD = 'benchmark passphrase 2026';

// The SDK's notice that Node 20 support ends, printed by every process that loads it, is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const log = (text: string) => process.stderr.write(`${text}\n`);

async function main(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const limits = { AUTH_CLIENT_LOGINS_PER_10_MIN: '1000000', AUTH_CLIENT_REGISTRATIONS_PER_10_MIN: '1000000', LOG_LEVEL: 'warn' };
  const servers: RunningServer[] = [];
  let local: DynamoDbLocal | undefined;
  const argon2 = startArgon2Baseline(ROOT, PASSWORD);
  /** Starts in parallel; whatever started is stopped at the end even if something else failed. */
  const all = async <T>(starting: Promise<T>[], track: (value: T) => void): Promise<T[]> => {
    const settled = await Promise.allSettled(starting);
    for (const result of settled) if (result.status === 'fulfilled') track(result.value);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
  };
  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      await argon2.stop();
      for (const server of servers) await server.stop();
      await local?.stop();
      rmSync(dir, { recursive: true, force: true });
    })());
  // Interrupted (Ctrl-C, or a test's time limit): stop every process this run started.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  try {
    const sqlite = { ...limits, AUTH_SQLITE_FILE: join(dir, 'bench.db') };
    const groups = [
      all([startServer({}, { script: join(ROOT, 'bench', 'hello-server.ts') })], (s) => servers.push(s)),
      all([startSubject(ROOT, 'sqlite', sqlite, PASSWORD)], (s) => servers.push(s.gatehouse, s.floor)),
      all([startDynamoDbLocal({ inMemory: true })], (l) => (local = l)),
    ] as const;
    // Every group runs to its end even when another fails, so that what did start is known (and
    // stopped below): DynamoDB Local may still be starting when a server has already failed.
    await Promise.allSettled(groups);
    const [helloStarted, sqlites] = await Promise.all(groups);
    const dynamodb = { ...limits, AUTH_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: local!.endpoint, AUTH_TABLE: 'bench' };
    const [dynamoSubject] = await all([startSubject(ROOT, 'dynamodb', dynamodb, PASSWORD)], (s) => servers.push(s.gatehouse, s.floor));
    const hello = helloStarted[0]!;
    const subjects: Subject[] = [sqlites[0]!, dynamoSubject!];
    const endpoint = local!.endpoint;

    const json = { 'content-type': 'application/json' };
    const verifyLoad = (s: Subject, server: RunningServer) =>
      load(server, SECONDS, { url: `${server.url}/verify`, method: 'POST', headers: json, body: s.verifyBody }, s.store === 'dynamodb');
    const loginLoad = (s: Subject) =>
      load(
        s.gatehouse,
        SECONDS,
        { url: `${s.gatehouse.url}/login`, method: 'POST', headers: json, body: s.loginBody, connections: CONNECTIONS },
        s.store === 'dynamodb',
      );
    // Unmeasured warm-up: every server and the hash have run before the first round.
    const warm = (s: Subject, server: RunningServer) =>
      load(server, WARM_UP_SECONDS, { url: `${server.url}/verify`, method: 'POST', headers: json, body: s.verifyBody }, s.store === 'dynamodb');
    await load(hello, WARM_UP_SECONDS, { url: hello.url });
    for (const s of subjects) {
      await warm(s, s.floor);
      await warm(s, s.gatehouse);
      await sequentialMedian(`${s.gatehouse.url}/login`, s.loginBody, 5, s.store === 'dynamodb');
      await sequentialMedian(`${s.floor.url}/login`, s.loginBody, 5);
    }
    await argon2.sequentialMedianMs(5);

    const hellos: LoadSample[] = [];
    const verify = new Map<string, Paired<LoadSample>[]>();
    const latency = new Map<string, Paired<number>[]>();
    const floorLatency = new Map<string, Paired<number>[]>();
    const throughput = new Map<string, Paired<number>[]>();
    const logins = new Map<string, LoadSample[]>();
    const add = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}`);
      hellos.push(await load(hello, SECONDS, { url: hello.url }));
      for (const s of subjects) {
        if (s.store === 'dynamodb' && (round - 1) % (ROUNDS / DYNAMO_ROUNDS) !== 0) continue;
        // This store's own round number, so that its pairs alternate their order too.
        const n = (verify.get(s.store)?.length ?? 0) + 1;
        add(
          verify,
          s.store,
          await pair(
            n,
            () => verifyLoad(s, s.floor),
            () => verifyLoad(s, s.gatehouse),
          ),
        );
        // One bare verify, one login, one login of the floor, in turns: the three medians come from
        // the same moments.
        const stall = s.store === 'dynamodb';
        const [argon2Ms, loginMs, floorMs] = await interleavedMedians(LOGINS, [
          () => argon2.sequentialMedianMs(1),
          () => timedPost(`${s.gatehouse.url}/login`, s.loginBody, stall),
          () => timedPost(`${s.floor.url}/login`, s.loginBody, stall),
        ]);
        add(latency, s.store, { baseline: argon2Ms!, subject: loginMs! });
        add(floorLatency, s.store, { baseline: argon2Ms!, subject: floorMs! });
        const tput = await pair(
          n,
          () => argon2.concurrentPerSecond(CONNECTIONS, SECONDS),
          () => loginLoad(s),
        );
        add(throughput, s.store, { baseline: tput.baseline, subject: tput.subject.rps });
        add(logins, s.store, tput.subject);
      }
    }

    log('cold starts');
    const cold = await measureColdStarts(endpoint, COLD_RUNS);
    log('round trips');
    const trips = { sqlite: await countRoundTrips('sqlite'), dynamodb: await countRoundTrips('dynamodb', endpoint) };

    const rows = tableRows({ hellos, verify, latency, floorLatency, throughput, cold, trips });
    const argon2Ms = median([...latency.get('sqlite')!].map((p) => p.baseline));
    const argon2PerSecond = median([...throughput.get('sqlite')!].map((p) => p.baseline));
    const date = new Date().toISOString();
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    const counted = rows.filter((r) => status(r) !== 'info');
    const loads = [...[...verify.values()].flat().flatMap((p) => [p.baseline, p.subject]), ...[...logins.values()].flat()];
    const stalls = loads.reduce((n, sample) => n + sample.unavailable, 0);
    const lines = [
      `Gatehouse benchmark · ${date.slice(0, 10)} · ${cpus().length} cores (${cpu}) · Node ${process.version} · ${ROUNDS} interleaved rounds of ${SECONDS} s (DynamoDB Local: ${DYNAMO_ROUNDS})`,
      `Argon2id verify at our parameters (m=${ARGON2_DEFAULTS.memoryCost} KiB, t=${ARGON2_DEFAULTS.timeCost}, p=${ARGON2_DEFAULTS.parallelism}): ${argon2Ms.toFixed(2)} ms one at a time, ${argon2PerSecond.toFixed(0)}/s ${CONNECTIONS} at a time`,
      '',
      ...formatTable(rows),
      '',
      `budgets met: ${counted.filter((r) => status(r) === 'met').length} of ${counted.length}`,
      '',
      'details (medians)                 req/s    p50 ms   p99 ms   server CPU ms/request',
      ...[
        ['hello-world', hellos] as const,
        ...subjects.flatMap((s) => [
          [`floor /verify ${s.store}`, verify.get(s.store)!.map((p) => p.baseline)] as const,
          [`/verify ${s.store}`, verify.get(s.store)!.map((p) => p.subject)] as const,
          [`/login ${s.store} (${CONNECTIONS} conns)`, logins.get(s.store)!] as const,
        ]),
      ].map(([name, samples]) => {
        const m = (f: keyof LoadSample) => median(samples.map((x) => x[f]));
        return `  ${name.padEnd(30)} ${m('rps').toFixed(0).padStart(7)} ${m('p50').toFixed(1).padStart(9)} ${m('p99').toFixed(1).padStart(8)} ${m('cpuMsPerRequest').toFixed(3).padStart(10)}`;
      }),
      ...(stalls ? [`  DynamoDB Local answered ${stalls} requests with 503 store_unavailable (it stalls on a busy machine); they are not counted`] : []),
      `  cold start with Node's own start-up: api.mjs ${cold.apiWallMs.toFixed(0)} ms, floor ${cold.floorWallMs.toFixed(0)} ms; floor bundle ${(cold.floorBytes / 1e6).toFixed(2)} MB; the API's code in all ${(cold.apiTotalBytes / 1e6).toFixed(2)} MB`,
      `  took ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ];
    process.stdout.write(lines.join('\n') + '\n');

    mkdirSync(OUT, { recursive: true });
    const results = {
      date,
      machine: { cores: cpus().length, cpu, node: process.version },
      rounds: ROUNDS,
      dynamoRounds: DYNAMO_ROUNDS,
      seconds: SECONDS,
      argon2: { params: ARGON2_DEFAULTS, medianMs: argon2Ms, perSecondAt10: argon2PerSecond },
      rows: rows.map((r) => ({ ...r, status: status(r) })),
      samples: {
        hellos,
        verify: Object.fromEntries(verify),
        loginLatency: Object.fromEntries(latency),
        floorLoginLatency: Object.fromEntries(floorLatency),
        loginThroughput: Object.fromEntries(throughput),
        logins: Object.fromEntries(logins),
      },
      coldStart: cold,
      roundTrips: trips,
      table: lines.join('\n'),
    };
    writeFileSync(join(OUT, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    const charted = rows.filter((r) => r.ratio !== undefined);
    writeFileSync(
      join(OUT, 'ratios.svg'),
      ratioChart(
        charted.map((r) => ({ label: `${r.informative ? 'DynamoDB Local: ' : ''}${r.figure}`, ratio: r.ratio!, budget: r.budget?.limit, status: status(r) })),
      ),
    );
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
