import { defineConfig } from 'vitest/config';
import { nodeRunsSdk3 } from './test/sdk3/support/sdk3-install';

// Three projects: `unit` (pure logic, no network), `integration` (real Redis, real HTTP,
// services started as child processes) and `browser` (the dashboard in Debian's chromium, on the
// running demo). `pnpm test` runs them all. A fourth, `sdk3` (hoptrace on the OpenTelemetry SDK
// 3.x line, installed with npm from the registry), exists only under Node 22.15 or later, which
// that line needs; .ci/run runs it with Node 22 (`pnpm test:sdk3` there).
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
      ...(nodeRunsSdk3()
        ? [
            {
              extends: true as const,
              test: {
                name: 'sdk3',
                include: ['test/sdk3/**/*.test.ts'],
                exclude: ['**/node_modules/**'],
                globalSetup: ['test/support/global-setup.ts'],
                testTimeout: 60_000,
                // npm installs the services' packages from the registry first.
                hookTimeout: 300_000,
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
