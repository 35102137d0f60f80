import { configDefaults, defineConfig } from 'vitest/config';

/** What a test waits for (a page to show a login that hashed twice) may take seconds on a busy machine. */
export const POLL = { timeout: 10_000 };

/**
 * The suites that compare how long answers take (an unknown name against a wrong password, an
 * account against nobody), and the one that holds answers to a time limit (a store that is down
 * answers within 3 s): `npm test` runs them after the rest, one file at a time
 * (vitest.timing.config.ts), so no other suite's load falls on one kind of request and not another,
 * nor a pause of the machine's on a limit.
 */
export const TIMING_SUITES = ['test/timing.test.ts', 'test/forgot-enumeration.e2e.test.ts', 'test/store-outage.e2e.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'infra/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...TIMING_SUITES],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A poll that finds what it waits for sooner returns at once.
    expect: { poll: POLL },
  },
});
