import { defineConfig } from 'vitest/config';
import { POLL, TIMING_SUITES } from './vitest.config';

/** The timing comparisons alone, one file at a time, after every other suite (see vitest.config.ts). */
export default defineConfig({
  test: {
    include: TIMING_SUITES,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    expect: { poll: POLL },
  },
});
