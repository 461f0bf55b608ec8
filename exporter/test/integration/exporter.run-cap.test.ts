import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import { newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

// A run holds at most maxHopsPerRun records: a runaway or forged run cannot grow without bound.
describe('RedisHopExporter caps the hop records of one run', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('exp-cap');
  const source = new SpanSource('router', 'router-1');
  let exporter: RedisHopExporter;

  beforeAll(async () => {
    exporter = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix, maxHopsPerRun: 3 });
    await untilReady(exporter.client);
  });

  afterAll(async () => {
    await exporter.shutdown();
    await deleteKeysUnder(redis, prefix);
    await source.shutdown();
    redis.disconnect();
  });

  it('stores 3 of 5 hops of one run and counts 2 as run_cap, leaving other runs of the batch alone', async () => {
    const capped = newRunId();
    const other = newRunId();
    const cappedSpans = source.hops(capped, 5);
    const { result } = await exportSpans(exporter, [...cappedSpans, ...source.hops(other, 2)]);

    // Capped hops are a deliberate, counted drop, not an export failure.
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const stored = await redis.hgetall(`${prefix}run:{${capped}}:hops`);
    // The first three of the batch are kept, in order.
    expect(Object.keys(stored).sort()).toEqual(
      cappedSpans
        .slice(0, 3)
        .map((s) => s.spanContext().spanId)
        .sort(),
    );
    expect(await redis.hlen(`${prefix}run:{${other}}:hops`)).toBe(2);
    expect(exporter.stats.snapshot()).toMatchObject({ written: 5, duplicates: 0, droppedTotal: 2 });
    expect(exporter.stats.snapshot().dropped.run_cap).toBe(2);

    // A later batch for the full run: new hops are capped, a replayed stored hop is still a duplicate.
    const later = await exportSpans(exporter, [...source.hops(capped, 2), cappedSpans[0]!]);
    expect(later.result.code).toBe(ExportResultCode.SUCCESS);
    expect(await redis.hlen(`${prefix}run:{${capped}}:hops`)).toBe(3);
    expect(exporter.stats.snapshot()).toMatchObject({ written: 5, duplicates: 1 });
    expect(exporter.stats.snapshot().dropped.run_cap).toBe(4);
  });
});
