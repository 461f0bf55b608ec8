import { defineConfig } from 'vitest/config';

// Three projects: `unit` (pure logic, no network), `integration` (real Redis, real HTTP,
// services started as child processes) and `browser` (the dashboard in Debian's chromium, on the
// running demo). `pnpm test` runs them all.
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
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          // One demo with three instances per service, an Oamserver and chromium per file.
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // After unit and integration, not next to them: 18 services and a browser on a small
          // machine would slow the timing-sensitive integration suites down.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
