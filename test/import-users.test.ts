import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { type ImportReport, importUsers, type LegacyUser } from '../src/core/import-users';
import { userKey } from '../src/core/records';
import { makeTestApp, type TestApp } from './helpers/app';
import { storeFactories } from './helpers/stores';

const VICTIM = 'the victim password';
const ATTACKER = 'the attacker password';
const KELVIN = '\u212A'; // KELVIN SIGN: lower-cases to an ASCII "k"
const SOURCE = 'login-database';

/** A tutorial table (keyed by username, case-sensitively), read in pages the way a Scan reads it. */
function tutorialTable(items: LegacyUser[], pageSize: number) {
  return {
    items,
    readPage: async (start: Record<string, unknown> | undefined) => {
      const from = start ? items.findIndex((item) => item.username === start.username) + 1 : 0;
      const page = items.slice(from, from + pageSize);
      return { items: page, next: from + pageSize < items.length ? { username: page[page.length - 1]!.username } : undefined };
    },
    keyOf: (item: LegacyUser) => ({ username: item.username }),
  };
}

const user = (username: string, password: string): LegacyUser => ({ username, name: `Name of ${username}`, password: bcrypt.hashSync(password, 4) });

/** The reviewer's table: two attackers whose names only look like their victims'. */
const attackAndVictims = () => [user('Kate', ATTACKER), user('kate', VICTIM), user(`${KELVIN}ate2`, ATTACKER), user('kate2', VICTIM)];

const loginStatus = async (t: TestApp, username: string, password: string) => (await t.call('/login', { body: { username, password } })).status;

describe.each(storeFactories)('import-users on $name', (factory) => {
  async function setUp(items: LegacyUser[], pageSize = 1) {
    const t = await makeTestApp((now) => factory.make(now));
    const table = tutorialTable(items, pageSize);
    const run = (options: { dryRun?: boolean; limit?: number } = {}) =>
      importUsers(t.store, t.clock, { source: SOURCE, dryRun: options.dryRun ?? false, limit: options.limit, readPage: table.readPage, keyOf: table.keyOf });
    /** Runs with a limit, again and again, as an interrupted import is carried on, until it finishes. */
    const runInterrupted = async (limit: number) => {
      const reports: ImportReport[] = [];
      do reports.push(await run({ limit }));
      while (!reports[reports.length - 1]!.finished && reports.length < 20);
      return {
        imported: reports.reduce((sum, r) => sum + r.imported, 0),
        alreadyImported: reports.reduce((sum, r) => sum + r.alreadyImported, 0),
        skipped: reports.flatMap((r) => r.skipped),
        runs: reports.length,
      };
    };
    return { t, table, run, runInterrupted };
  }

  const collision = (username: string, other: string) => ({
    username,
    reason: `username differs from ${other} only in letter case; such names are not imported`,
  });
  const lookalike = (username: string) => ({
    username,
    reason: 'username has characters that only turn into a-z 0-9 . _ - when lower-cased; refused',
  });

  it.each([
    ["in the reviewer's order", attackAndVictims()],
    ['victims first', attackAndVictims().reverse()],
  ])('skips every name that collides with another once lower-cased, and refuses look-alike letters (%s)', async (_label, items) => {
    const { t, run } = await setUp(items);
    const report = await run();
    expect({ imported: report.imported, alreadyImported: report.alreadyImported }).toEqual({ imported: 1, alreadyImported: 0 });
    expect(report.skipped).toHaveLength(3);
    expect(report.skipped).toEqual(expect.arrayContaining([collision('Kate', 'kate'), collision('kate', 'Kate'), lookalike(`${KELVIN}ate2`)]));

    expect(await t.store.get(userKey('kate'))).toBeUndefined();
    expect((await t.store.get(userKey('kate2')))?.data).toMatchObject({ username: 'kate2', sourceUsername: 'kate2', importedFrom: SOURCE });
    for (const password of [ATTACKER, VICTIM]) expect(await loginStatus(t, 'kate', password)).toBe(401);
    expect(await loginStatus(t, 'kate2', ATTACKER)).toBe(401);
    expect(await loginStatus(t, 'kate2', VICTIM)).toBe(200);

    // Run again: only the record made from the very same source key counts as already imported.
    const again = await run();
    expect({ imported: again.imported, alreadyImported: again.alreadyImported }).toEqual({ imported: 0, alreadyImported: 1 });
    expect(again.skipped).toEqual(report.skipped);
    // A dry run sees the same.
    const dry = await run({ dryRun: true });
    expect(dry.skipped).toEqual(report.skipped);
  });

  it('finds collisions across pages and across interrupted, resumed runs', async () => {
    const items = [user('Kate', ATTACKER), user('ada', VICTIM), user('grace', VICTIM), user('kate', VICTIM), user('KATE', ATTACKER), user('linus', VICTIM)];
    const { t, runInterrupted } = await setUp(items);
    const total = await runInterrupted(1);
    expect(total.runs).toBeGreaterThan(2);
    expect({ imported: total.imported, alreadyImported: total.alreadyImported }).toEqual({ imported: 3, alreadyImported: 0 });
    expect(total.skipped.map((s) => s.username).sort()).toEqual(['KATE', 'Kate', 'kate']);
    expect(total.skipped.find((s) => s.username === 'Kate')!.reason).toBe('username differs from kate, KATE only in letter case; such names are not imported');
    expect(await t.store.get(userKey('kate'))).toBeUndefined();
    for (const password of [ATTACKER, VICTIM]) expect(await loginStatus(t, 'kate', password)).toBe(401);
    for (const name of ['ada', 'grace', 'linus']) expect(await loginStatus(t, name, VICTIM)).toBe(200);
  });

  it('never counts a look-alike added to the table later as the user imported earlier', async () => {
    const { t, table, run } = await setUp([user('kate', VICTIM), user('ada', VICTIM)], 2);
    expect((await run()).imported).toBe(2);
    // The tutorial app lets someone sign up as "Kate" afterwards; the import is run again.
    table.items.unshift(user('Kate', ATTACKER));
    const again = await run();
    expect({ imported: again.imported, alreadyImported: again.alreadyImported }).toEqual({ imported: 0, alreadyImported: 2 });
    expect(again.skipped).toEqual([collision('Kate', 'kate')]);
    expect((await t.store.get(userKey('kate')))?.data).toMatchObject({ sourceUsername: 'kate' });
    expect(await loginStatus(t, 'Kate', ATTACKER)).toBe(401);
    expect(await loginStatus(t, 'kate', VICTIM)).toBe(200);
  });

  it('accepts bcrypt costs 4–14 only, skipping the rest with the reason', async () => {
    const base = bcrypt.hashSync(VICTIM, 4);
    const withCost = (cost: string) => base.replace(/^\$2([aby])\$04\$/, `$$2$1$$${cost}$$`);
    const items = ['03', '04', '14', '15', '31', '99'].map((cost) => ({ username: `cost${cost}`, name: 'N', password: withCost(cost) }));
    const { t, run } = await setUp(items, 3);
    const report = await run();
    expect(report.imported).toBe(2);
    expect(report.skipped).toEqual(
      ['03', '15', '31', '99'].map((cost) => ({ username: `cost${cost}`, reason: `password is a bcrypt hash of cost ${cost}; only costs 4–14 are imported` })),
    );
    expect((await t.store.get(userKey('cost14')))?.data.passwordHash).toBe(withCost('14'));
    expect(await loginStatus(t, 'cost04', VICTIM)).toBe(200);
  });
});
