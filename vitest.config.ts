import { defineConfig } from 'vitest/config';

// Three projects: unit (one layer, fakes allowed), integration (the real server on 127.0.0.1, real SQLite and
// WebSocket clients) and e2e (the built extension in real Chromium). Tests of one module sit beside it. The
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
