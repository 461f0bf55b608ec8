import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { decodeHopRecord } from '@hoptrace/core';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';

const run = promisify(execFile);

// The instrumentation of ioredis is unreliable inside vitest (it loads modules its own way), so
// the scenario runs in a plain `node` child process, as a service would. The fixture lives with
// @hoptrace/instrument, which depends on the SDK and instrumentation packages it needs; it loads
// @hoptrace/redis-exporter from dist/ (run `pnpm build` first).
const FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../packages/instrument/test/integration/fixtures/exporter-suppressed-tracing.cjs',
);

/** A span the fixture recorded. */
interface SpanRecord {
  name: string;
  kind: SpanKind;
}

interface FixtureOutput {
  processorRunId: string;
  directRunId: string;
  hopSpanId: string;
  ping: SpanRecord[];
  processor: SpanRecord[];
  directViaProcessor: SpanRecord[];
  direct: SpanRecord[];
  directResult: number;
  stats: { written: number; duplicates: number; droppedTotal: number };
}

/** Span names the ioredis instrumentation gives the exporter's script calls. */
const SCRIPT_SPAN = /^(evalsha|eval|hoptraceWriteHops|script)/i;

// CONVENTIONS.md: the exporter's own Redis calls run under suppressTracing, so it never traces itself.
describe('RedisHopExporter behind HopSpanProcessor never traces its own Redis commands', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('exp-suppress');

  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('records no ioredis span for the hop write, while a plain PING in the same active span is traced', async () => {
    const { stdout, stderr } = await run(process.execPath, [FIXTURE], {
      cwd: dirname(FIXTURE),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL, HOPTRACE_KEY_PREFIX: prefix },
      timeout: 20_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as FixtureOutput;
    expect(stderr).toBe('');

    // Control: the instrumentation is active and the active span lets it trace.
    expect(out.ping).toEqual([{ name: 'ping', kind: SpanKind.CLIENT }]);

    // The hop went through HopSpanProcessor + RedisHopExporter: the only span is the hop itself.
    expect(out.processor).toEqual([{ name: 'GET /deposit', kind: SpanKind.SERVER }]);
    expect(out.processor.filter((s) => SCRIPT_SPAN.test(s.name) || s.kind === SpanKind.CLIENT)).toEqual([]);
    expect(out.directViaProcessor).toEqual([{ name: 'GET /deposit', kind: SpanKind.SERVER }]);

    // ... and its record is in Redis.
    const stored = await redis.hgetall(`${prefix}run:{${out.processorRunId}}:hops`);
    expect(Object.keys(stored)).toEqual([out.hopSpanId]);
    expect(decodeHopRecord(stored[out.hopSpanId]!)).toMatchObject({
      runId: out.processorRunId,
      service: 'fixture-svc',
      instance: 'fixture-1',
    });

    // Control: the exporter's client IS instrumented; called without the processor's suppression,
    // its script call becomes a span. So the absence above is the suppression at work.
    expect(out.directResult).toBe(0);
    expect(out.direct.map((s) => s.name)).toEqual(['evalsha']);
    expect(out.stats).toMatchObject({ written: 2, duplicates: 1, droppedTotal: 0 });
  });
});
