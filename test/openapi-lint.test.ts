import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/store/sqlite';
import { makeTestApp } from './helpers/app';
import { ROOT } from './helpers/server';

const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

describe('/openapi.json under Redocly', () => {
  it("passes Redocly's recommended rules with no error", async () => {
    const t = await makeTestApp(sqliteStore({ file: ':memory:' }));
    const file = join(dir, 'openapi.json');
    writeFileSync(file, await (await t.call('/openapi.json')).text());

    const run = spawnSync(process.execPath, [REDOCLY, 'lint', '--extends=recommended', '--format=json', file], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' },
    });
    expect(run.error, 'running @redocly/cli').toBeUndefined();
    expect(run.stdout, `@redocly/cli printed no report:\n${run.stderr}`).toMatch(/^\s*\{/);
    const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: Problem[] };
    const listed = report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    console.log(`Redocly recommended: ${report.totals.errors} errors, ${report.totals.warnings} warnings\n${listed.join('\n')}`);

    expect(report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}`)).toEqual([]);
    expect(run.status).toBe(0);
    // The two warnings that stay: no license is declared (the project has chosen none), and the
    // local server's URL is localhost (the issuer of a deployment is its own URL).
    expect([...new Set(report.problems.map((p) => p.ruleId))].sort()).toEqual(['info-license', 'no-server-example.com']);
  });
});
