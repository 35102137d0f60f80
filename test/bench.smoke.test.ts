import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { HEADER } from '../bench/table';
import { ROOT } from './helpers/server';

const out = mkdtempSync(join(tmpdir(), 'gatehouse-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// Every budget of SPEC §10, in the order the table prints them (the DynamoDB Local rows last).
const FIGURES = [
  ['SQLite', '/verify req/s vs floor server', '≥', 0.85],
  ['SQLite', '/verify req/s vs Hono hello-world (informative)', undefined, undefined],
  ['SQLite', '/login median ms vs one Argon2id verify', '≤', 1.15],
  ['SQLite', 'floor /login median ms vs Argon2id (informative)', undefined, undefined],
  ['SQLite', '/login req/s at 10 conns vs 10 verifies at a time', '≥', 0.8],
  ['Lambda', 'api.mjs MB loaded at start vs 1.5 MB', '≤', 1],
  ['Lambda', 'api.mjs cold start ms vs floor bundle', '≤', 1.5],
  ['Store round trips', 'verify', '=', 1],
  ['Store round trips', 'login', '≤', 3],
  ['Store round trips', 'register', '≤', 3],
  ['Store round trips', 'refresh', '≤', 3],
  ['DynamoDB Local', '/verify req/s vs floor server', '≥', 0.85],
  ['DynamoDB Local', '/login median ms vs one Argon2id verify', '≤', 1.15],
  ['DynamoDB Local', 'floor /login median ms vs Argon2id (informative)', undefined, undefined],
  ['DynamoDB Local', '/login req/s at 10 conns vs 10 verifies at a time', '≥', 0.8],
] as const;

describe('npm run bench', () => {
  it('runs one short round end to end and prints every budget, with results.json and the chart', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], {
      cwd: ROOT,
      timeout: 230_000,
    });
    expect(stdout).toMatch(/^Gatehouse benchmark · \d{4}-\d\d-\d\d · \d+ cores /);
    expect(stdout).toMatch(/Argon2id verify at our parameters \(m=19456 KiB, t=2, p=1\): [\d.]+ ms one at a time, \d+\/s 10 at a time/);
    expect(stdout).toContain(HEADER);
    expect(stdout).toMatch(/budgets met: \d of 9/);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.table).toBe(stdout.slice(0, results.table.length));
    const rows = results.rows as {
      section: string;
      figure: string;
      value: number | string;
      ratio?: number;
      budget?: { op: string; limit: number };
      status: string;
      informative?: boolean;
    }[];
    expect(rows).toHaveLength(FIGURES.length);
    FIGURES.forEach(([section, figure, op, limit], i) => {
      expect(rows[i]!.section.startsWith(section), `${rows[i]!.section} / ${section}`).toBe(true);
      expect(rows[i]!.figure === figure || rows[i]!.figure.startsWith(`${figure} (`), `${rows[i]!.figure} / ${figure}`).toBe(true);
      expect(rows[i]!.budget?.op).toBe(op);
      expect(rows[i]!.budget?.limit).toBe(limit);
    });
    for (const row of rows) {
      // Every row is printed on its own line of the table, with its status.
      expect(stdout).toContain(row.figure);
      if (row.section.startsWith('DynamoDB Local') || !row.budget) expect(row.status).toBe('info');
      else expect(['met', 'MISSED']).toContain(row.status);
      if (row.section.startsWith('Store round trips')) {
        // "steps/total · steps/total": Store calls, then DynamoDB requests.
        expect(row.value).toMatch(/^\d+\/\d+ · \d+\/\d+$/);
      } else {
        expect(row.value).toBeGreaterThan(0);
        expect(row.ratio).toBeGreaterThan(0);
      }
    }
    expect(results.coldStart.runs).toBe(1);
    expect(results.coldStart.apiBytes).toBeGreaterThan(results.coldStart.floorBytes);
    expect(readFileSync(join(out, 'ratios.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*1\.0 = baseline/);
    // DynamoDB Local, six servers and fresh processes for the cold starts: slow on a busy machine.
  }, 240_000);
});
