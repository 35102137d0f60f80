import { describe, expect, it } from 'vitest';
import { ROUTES } from '../src/http/routes';
import { sqliteStore } from '../src/store/sqlite';
import { makeTestApp } from './helpers/app';

describe('the ROUTES table the stacks deploy', () => {
  it('is exactly the set of routes the app serves', async () => {
    const { app } = await makeTestApp(sqliteStore({ file: ':memory:' }));
    // Hono lists every handler; middleware runs on '*', and a known path's other methods on ALL.
    const served = new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path !== '*' && r.path !== '/*').map((r) => `${r.method} ${r.path}`));
    const table = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    expect([...served].filter((r) => !table.has(r))).toEqual([]);
    expect([...table].filter((r) => !served.has(r))).toEqual([]);
  });
});
