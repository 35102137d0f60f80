import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/server';

const out = mkdtempSync(join(tmpdir(), 'gatehouse-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('runs one short round end to end and writes its table, results.json and the chart', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], {
      cwd: ROOT,
      timeout: 120_000,
    });
    expect(stdout).toMatch(/hello-world baseline: \d+ req\/s/);
    expect(stdout).toMatch(/verify sqlite req\/s/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    for (const name of ['hello-world', 'verify sqlite', 'login sqlite', 'register sqlite', 'profile sqlite', 'verify dynamodb', 'login dynamodb']) {
      expect(results.figures[name].rps).toBeGreaterThan(0);
      expect(results.figures[name].cpuMsPerRequest).toBeGreaterThan(0);
    }
    expect(results.bundles.map((b: { fn: string }) => b.fn)).toEqual(['api', 'authorizer']);
    expect(results.budgets).toHaveLength(4);
    expect(readFileSync(join(out, 'ratios.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*1\.0 = baseline/);
  });
});
