import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, no network) and `integration` (real Redis, real HTTP,
// services started as child processes). `pnpm test` runs both.
export default defineConfig({
  test: {
    // Fail, never skip, when something a test needs is missing.
    allowOnly: false,
    passWithNoTests: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'exporter/test/**/*.test.ts'],
          exclude: ['**/test/integration/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'packages/*/test/integration/**/*.test.ts',
            'exporter/test/integration/**/*.test.ts',
            'test/integration/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration suites start services and pause Redis: run files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
