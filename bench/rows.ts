/** SPEC §10's budgets as table rows, from the samples of one run. */
import type { ColdStarts } from './cold-start';
import { type LoadSample, median } from './measure';
import { OPERATIONS, type RoundTrips } from './round-trips';
import type { Budget, Row } from './table';

/** One round's baseline and subject, measured back to back. */
export interface Paired<T> {
  readonly baseline: T;
  readonly subject: T;
}

export interface Measurements {
  readonly hellos: readonly LoadSample[];
  readonly verify: ReadonlyMap<string, readonly Paired<LoadSample>[]>;
  /** Median login latency against the median bare Argon2id verify, ms. */
  readonly latency: ReadonlyMap<string, readonly Paired<number>[]>;
  /** The same for the floor's /login (HTTP, one user read, Argon2id, the same answer): what no login avoids. */
  readonly floorLatency: ReadonlyMap<string, readonly Paired<number>[]>;
  /** Logins per second at 10 connections against Argon2id verifies per second, 10 at a time. */
  readonly throughput: ReadonlyMap<string, readonly Paired<number>[]>;
  readonly cold: ColdStarts;
  readonly trips: { readonly sqlite: RoundTrips; readonly dynamodb: RoundTrips };
}

/** 1.5 MB, in bytes (10^6). */
export const API_BUNDLE_LIMIT = 1_500_000;

const BUDGETS = {
  verify: { op: '≥', limit: 0.85 },
  loginLatency: { op: '≤', limit: 1.15 },
  loginThroughput: { op: '≥', limit: 0.8 },
  size: { op: '≤', limit: 1 },
  coldStart: { op: '≤', limit: 1.5 },
} as const satisfies Record<string, Budget>;

const TRIP_BUDGETS: Record<(typeof OPERATIONS)[number], Budget> = {
  verify: { op: '=', limit: 1 },
  login: { op: '≤', limit: 3 },
  register: { op: '≤', limit: 3 },
  refresh: { op: '≤', limit: 3 },
};

/** A row whose ratio is the median of the rounds' own ratios (each pair measured back to back). */
function paired(section: string, figure: string, pairs: readonly Paired<number>[], budget: Budget | undefined, informative = false): Row {
  const ratios = pairs.map((p) => p.subject / p.baseline).sort((a, b) => a - b);
  const quartile = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))]!;
  return {
    section,
    figure,
    value: median(pairs.map((p) => p.subject)),
    baseline: median(pairs.map((p) => p.baseline)),
    ratio: median(ratios),
    spread: [quartile(0.25), quartile(0.75)],
    ...(budget ? { budget } : {}),
    informative,
  };
}

function storeRows(section: string, store: string, m: Measurements, informative: boolean): Row[] {
  const verify = m.verify.get(store) ?? [];
  const rps = verify.map((p) => ({ baseline: p.baseline.rps, subject: p.subject.rps }));
  const rows = [
    paired(section, '/verify req/s vs floor server', rps, BUDGETS.verify, informative),
    paired(section, '/login median ms vs one Argon2id verify', m.latency.get(store) ?? [], BUDGETS.loginLatency, informative),
    paired(section, 'floor /login median ms vs Argon2id (informative)', m.floorLatency.get(store) ?? [], undefined),
    paired(section, '/login req/s at 10 conns vs 10 verifies at a time', m.throughput.get(store) ?? [], BUDGETS.loginThroughput, informative),
  ];
  if (store === 'sqlite') {
    // The hello-world is measured once a round; its ratio pairs it with the same round's /verify.
    const hello = verify.map((p, i) => ({ baseline: m.hellos[i]!.rps, subject: p.subject.rps }));
    rows.splice(1, 0, paired(section, '/verify req/s vs Hono hello-world (informative)', hello, undefined));
  }
  return rows;
}

export function tableRows(m: Measurements): Row[] {
  const { cold, trips } = m;
  const bundle = 'Lambda bundle (cold start against DynamoDB Local)';
  const counts = 'Store round trips in sequence / in all (Store calls · DynamoDB requests)';
  return [
    ...storeRows('SQLite', 'sqlite', m, false),
    {
      section: bundle,
      figure: 'api.mjs MB loaded at start vs 1.5 MB',
      value: cold.apiBytes / 1e6,
      baseline: API_BUNDLE_LIMIT / 1e6,
      ratio: cold.apiBytes / API_BUNDLE_LIMIT,
      budget: BUDGETS.size,
    },
    {
      section: bundle,
      figure: 'api.mjs cold start ms vs floor bundle',
      value: cold.apiMs,
      baseline: cold.floorMs,
      ratio: cold.ratio,
      budget: BUDGETS.coldStart,
    },
    ...OPERATIONS.map((op): Row => {
      const port = trips.sqlite.storeCalls[op];
      const dynamoPort = trips.dynamodb.storeCalls[op];
      const requests = trips.dynamodb.requests![op];
      const text = (c: { steps: number; total: number }) => `${c.steps}/${c.total}`;
      const same = text(port) === text(dynamoPort);
      return {
        section: counts,
        figure: `${op}${same ? '' : ` (on DynamoDB the port saw ${text(dynamoPort)})`}`,
        value: `${text(port)} · ${text(requests)}`,
        budget: TRIP_BUDGETS[op],
        measured: Math.max(port.steps, dynamoPort.steps, requests.steps),
      };
    }),
    ...storeRows("DynamoDB Local (informative: the emulator's speed is not DynamoDB's)", 'dynamodb', m, true),
  ];
}
