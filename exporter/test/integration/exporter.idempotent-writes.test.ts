import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import { decodeHopRecord, newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

// G3 in RELIABILITY.md: a replayed export (a retry, or a timed-out write Redis still applied)
// must not store a hop twice. The span id is the hash field, and the script leaves it alone.
describe('RedisHopExporter writes are idempotent', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('exp-idem');
  const source = new SpanSource('mailbox', 'mailbox-2');
  let exporter: RedisHopExporter;

  beforeAll(async () => {
    exporter = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix });
    await untilReady(exporter.client);
  });

  afterAll(async () => {
    await exporter.shutdown();
    await deleteKeysUnder(redis, prefix);
    await source.shutdown();
    redis.disconnect();
  });

  it('stores each hop once when the same spans are exported twice, and counts the replays', async () => {
    const runA = newRunId();
    const runB = newRunId();
    const spans = [...source.hops(runA, 3), ...source.hops(runB, 1)];
    const before = exporter.stats.snapshot();

    const first = await exportSpans(exporter, spans);
    expect(first.result.code).toBe(ExportResultCode.SUCCESS);
    const keyA = `${prefix}run:{${runA}}:hops`;
    const afterFirst = await redis.hgetall(keyA);

    const second = await exportSpans(exporter, spans);
    expect(second.result.code).toBe(ExportResultCode.SUCCESS);

    expect(await redis.hlen(keyA)).toBe(3);
    expect(await redis.hlen(`${prefix}run:{${runB}}:hops`)).toBe(1);
    // The replay left the stored records exactly as they were.
    expect(await redis.hgetall(keyA)).toEqual(afterFirst);
    for (const raw of Object.values(afterFirst)) expect(decodeHopRecord(raw)?.runId).toBe(runA);

    const stats = exporter.stats.snapshot();
    expect(stats.written - before.written).toBe(4);
    expect(stats.duplicates - before.duplicates).toBe(4);
    expect(stats.droppedTotal - before.droppedTotal).toBe(0);
  });

  it('writes only the new hops of a batch that partly overlaps one already stored', async () => {
    const runId = newRunId();
    const [a, b, c] = source.hops(runId, 3);
    const before = exporter.stats.snapshot();

    expect((await exportSpans(exporter, [a!, b!])).result.code).toBe(ExportResultCode.SUCCESS);
    expect((await exportSpans(exporter, [b!, c!])).result.code).toBe(ExportResultCode.SUCCESS);

    const stored = await redis.hgetall(`${prefix}run:{${runId}}:hops`);
    expect(Object.keys(stored).sort()).toEqual([a!, b!, c!].map((s) => s.spanContext().spanId).sort());
    const stats = exporter.stats.snapshot();
    expect(stats.written - before.written).toBe(3);
    expect(stats.duplicates - before.duplicates).toBe(1);
  });

  it('counts a replay from a second exporter (another process restarting its batch) as a duplicate too', async () => {
    const runId = newRunId();
    const spans = source.hops(runId, 2);
    const other = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix });
    try {
      await untilReady(other.client);
      expect((await exportSpans(exporter, spans)).result.code).toBe(ExportResultCode.SUCCESS);
      expect((await exportSpans(other, spans)).result.code).toBe(ExportResultCode.SUCCESS);
      expect(other.stats.snapshot()).toMatchObject({ written: 0, duplicates: 2, droppedTotal: 0 });
      expect(await redis.hlen(`${prefix}run:{${runId}}:hops`)).toBe(2);
    } finally {
      await other.shutdown();
    }
  });
});
