import { defineConfig } from 'vitest/config';

// Four projects: unit (one layer, fakes allowed), integration (the real server on 127.0.0.1, real SQLite and
// WebSocket clients), integration-postgres (the store-dependent server suites again on PostgreSQL) and e2e (the built extension in real Chromium). Tests of one module sit beside it. The
// integration and e2e projects build the server first: their process-level tests run `node dist/server/main.js`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'shared/**/*.test.{ts,tsx}',
            'server/**/*.test.{ts,tsx}',
            'extension/**/*.test.{ts,tsx}',
            'test/unit/**/*.test.{ts,tsx}',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/build-server.setup.ts'],
          environment: 'node',
          // One file at a time: each starts its own servers (three instances, PostgreSQL, Redis, nginx for the
          // scale files), and on two cores a file running beside another measured the other's load, not its
          // server's (the guard files' healthy-team round trips). Run in parallel it took no less time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The server's suites where the store matters, again on PostgreSQL: test servers started without a
        // data folder of their own get a fresh database of one PostgreSQL (and a Redis) for the whole run.
        // bulk.test.ts is not among them: it asserts that a caught-up client gets nothing back, and on
        // PostgreSQL the cursor stays below any transaction in flight (pg-updates.ts), so a room may come again.
        test: {
          name: 'integration-postgres',
          include: [
            'test/integration/server/{auth,convergence,invites,protocol,rest,smoke,team-vocabulary}.test.ts',
            'test/integration/briefing/briefing-route.test.ts',
            'test/integration/guard/{authorship,team-caps}.test.ts',
            'test/integration/tasks/{api,rules}.test.ts',
          ],
          globalSetup: ['test/build-server.setup.ts', 'test/server/services.setup.ts'],
          env: { PIZHU_TEST_STORE: 'postgres' },
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/build-server.setup.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
