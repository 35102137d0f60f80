import { defineConfig } from 'vitest/config';

/**
 * `npm run test:fast`: every suite that needs neither Java (DynamoDB Local) nor Chromium, on
 * SQLite in memory, in-process. The whole suite (`npm test`) runs these too, on both stores.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.e2e.test.ts', 'test/store-dynamodb.test.ts', 'test/bench.smoke.test.ts', 'test/openapi-lint.test.ts'],
    testTimeout: 30_000,
  },
});
