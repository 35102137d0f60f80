import { defineConfig } from 'vitest/config';
import { POLL } from './vitest.config';

/**
 * `npm run test:fast`: every suite that needs neither Java (DynamoDB Local) nor Chromium, on
 * SQLite in memory, in-process, with Argon2id at its cheapest parameters where a test does not ask
 * for the real ones (test/helpers/app.ts). The whole suite (`npm test`) runs these too, on both
 * stores, at the real parameters.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.e2e.test.ts', 'test/store-dynamodb.test.ts', 'test/bench.smoke.test.ts', 'test/openapi-lint.test.ts'],
    testTimeout: 30_000,
    expect: { poll: POLL },
    env: { GATEHOUSE_TEST_ARGON2: 'light' },
    // Both cores: these suites hold no server or emulator that another file could slow past a bound.
    maxWorkers: 2,
    minWorkers: 2,
  },
});
