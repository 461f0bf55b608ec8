import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ExportResultCode } from '@opentelemetry/core';
import { newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/redis-server';
import { sleep, waitFor } from '../../../test/support/wait';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

/** Calls of the write-hops script (EVAL or EVALSHA) the server has executed since it started. */
async function scriptCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

// RELIABILITY.md §6.1 (killed) and G2: with Redis down, export fails at once and counts its drops,
// nothing piles up in memory to be replayed later, and the exporter's own client reconnects by itself.
describe('RedisHopExporter when Redis is down', () => {
  const prefix = uniquePrefix('exp-down');
  const exportTimeoutMs = 2000;
  const source = new SpanSource('voicemail', 'voicemail-1');
  let server: PrivateRedis;
  let exporter: RedisHopExporter;

  beforeAll(async () => {
    server = await startPrivateRedis();
    exporter = new RedisHopExporter({ redisUrl: server.url, keyPrefix: prefix, exportTimeoutMs });
    await untilReady(exporter.client);
  });

  afterAll(async () => {
    await exporter?.shutdown();
    if (server) {
      const redis = testRedis(server.url);
      await deleteKeysUnder(redis, prefix).catch(() => undefined);
      redis.disconnect();
      await server.stop();
    }
    await source.shutdown();
  });

  it('fails fast, exactly once, counts redis_unavailable, then recovers when Redis is back', async () => {
    const warmRun = newRunId();
    expect((await exportSpans(exporter, source.hops(warmRun, 1))).result.code).toBe(ExportResultCode.SUCCESS);

    await server.kill();
    const before = exporter.stats.snapshot();
    const outcome = await exportSpans(exporter, [...source.hops(newRunId(), 2), ...source.hops(newRunId(), 1)]);

    expect(outcome.result.code).toBe(ExportResultCode.FAILED);
    expect(outcome.result.error?.message).toMatch(/could not write hop records/);
    console.log(`export with Redis killed called back after ${outcome.elapsedMs.toFixed(1)} ms`);
    expect(outcome.elapsedMs).toBeLessThan(exportTimeoutMs / 10);
    const after = exporter.stats.snapshot();
    expect(after.dropped.redis_unavailable - before.dropped.redis_unavailable).toBe(3);
    expect(after.droppedTotal - before.droppedTotal).toBe(3);
    expect(after.written).toBe(before.written);

    // Still once after the export deadline has passed.
    await sleep(exportTimeoutMs + 100);
    expect(outcome.calls()).toBe(1);
    expect(exporter.stats.snapshot().droppedTotal).toBe(after.droppedTotal);

    // Back up (empty: it keeps nothing on disk). The exporter's own client reconnects by itself.
    await server.start();
    await waitFor(() => exporter.client.status === 'ready', { timeoutMs: 10_000, what: 'the exporter to reconnect' });
    const redis = testRedis(server.url);
    try {
      const runId = newRunId();
      const recovered = await exportSpans(exporter, source.hops(runId, 2));
      expect(recovered.result.code).toBe(ExportResultCode.SUCCESS);
      expect(await redis.hlen(`${prefix}run:{${runId}}:hops`)).toBe(2);
      // Nothing written during the outage was queued and replayed: the restarted server ran
      // exactly one script call, the one just made.
      expect(await scriptCalls(redis)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('with Redis still down, a steady stream of exports keeps failing fast and never hangs', async () => {
    await server.kill();
    try {
      const before = exporter.stats.snapshot().dropped.redis_unavailable;
      let slowest = 0;
      for (let i = 0; i < 20; i++) {
        const outcome = await exportSpans(exporter, source.hops(newRunId(), 1));
        expect(outcome.result.code).toBe(ExportResultCode.FAILED);
        slowest = Math.max(slowest, outcome.elapsedMs);
        await sleep(25);
      }
      console.log(`20 exports with Redis down: slowest callback ${slowest.toFixed(1)} ms`);
      expect(slowest).toBeLessThan(exportTimeoutMs / 10);
      expect(exporter.stats.snapshot().dropped.redis_unavailable - before).toBe(20);
    } finally {
      await server.start();
    }
  });
});
