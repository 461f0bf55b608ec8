import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { atLeast, resolvedPackage } from '../src/sdk-line/package-version';
import { selectSdkLine } from '../src/sdk-line/select-sdk-line';
import { batchOptionsFromEnv } from '../src/sdk-line/sdk3';

const here = createRequire(import.meta.url);

describe('choosing the OpenTelemetry SDK line', () => {
  it('compares versions by major and minor', () => {
    expect(atLeast('1.10.0', 1, 10)).toBe(true);
    expect(atLeast('1.9.1', 1, 10)).toBe(false);
    expect(atLeast('2.0.0', 1, 10)).toBe(true);
    expect(atLeast('3.1.1', 3, 0)).toBe(true);
    expect(atLeast('2.12.1', 3, 0)).toBe(false);
    expect(atLeast('not a version', 1, 0)).toBe(false);
  });

  it('reads the version of a package whose exports map hides its package.json', () => {
    // @opentelemetry/api has an exports map without ./package.json.
    expect(() => here('@opentelemetry/api/package.json')).toThrow();
    expect(resolvedPackage(here, '@opentelemetry/api')?.version).toMatch(/^1\.\d+\.\d+$/);
    expect(resolvedPackage(here, 'no-such-package-hoptrace')).toBeUndefined();
  });

  it('keeps the drop-in’s own 2.x SDK with api 1.9 (this workspace)', () => {
    const { sdk, problem } = selectSdkLine();
    expect(problem).toBeUndefined();
    expect(sdk).toMatchObject({ line: '2.x', source: 'bundled' });
    expect(sdk.version).toMatch(/^2\./);
  });

  it('reads OTEL_BSP_* for the 3.x batch processor as the 2.x SDK does, ignoring bad values', () => {
    expect(
      batchOptionsFromEnv({
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BSP_MAX_QUEUE_SIZE: ' 4096 ',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '-1',
        OTEL_BSP_EXPORT_TIMEOUT: 'soon',
      }),
    ).toEqual({ scheduledDelayMillis: 100, maxQueueSize: 4096 });
    expect(batchOptionsFromEnv({})).toEqual({});
  });
});
