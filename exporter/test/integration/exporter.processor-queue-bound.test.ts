import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { newRunId } from '@hoptrace/core';
import { HopSpanProcessor, RedisHopExporter } from '../../src/index';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/redis-server';
import { waitFor } from '../../../test/support/wait';
import { SpanSource, untilReady } from './support/hop-spans';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsedAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

// G1 in RELIABILITY.md: the exporter never blocks the host. With Redis hung, the processor's
// onEnd stays O(1), its queue stays bounded, every hop it cannot keep is counted, and memory does
// not grow with the number of spans.
describe('HopSpanProcessor with a real RedisHopExporter on a hung Redis', () => {
  const prefix = uniquePrefix('exp-queue');
  const maxQueueSize = 10;
  let server: PrivateRedis;
  let redis: Redis;
  let exporter: RedisHopExporter;
  let processor: HopSpanProcessor;
  /** Spans ended through a provider whose only processor is the hop processor, as in a service. */
  let service: SpanSource;
  /** Spans recorded in memory, handed to `processor.onEnd` by the test itself. */
  const recorded = new SpanSource('checkout', 'checkout-1');
  /** Hop spans the processor was given, all tests together. */
  let hopsEnded = 0;

  function endHops(runId: string, count: number): void {
    service.hops(runId, count);
    hopsEnded += count;
  }

  beforeAll(async () => {
    server = await startPrivateRedis();
    redis = testRedis(server.url);
    exporter = new RedisHopExporter({ redisUrl: server.url, keyPrefix: prefix, exportTimeoutMs: 300 });
    processor = new HopSpanProcessor(exporter, { maxQueueSize, scheduledDelayMs: 20 });
    service = new SpanSource('checkout', 'checkout-1', [processor]);
    await untilReady(exporter.client);
    // Warm up end to end: a hop ended in the service lands in Redis.
    const runId = newRunId();
    endHops(runId, 1);
    await processor.forceFlush();
    expect(await redis.hlen(`${prefix}run:{${runId}}:hops`)).toBe(1);
  });

  afterAll(async () => {
    server?.resume();
    await service?.shutdown(); // shuts the processor and the exporter down
    if (redis) {
      await deleteKeysUnder(redis, prefix).catch(() => undefined);
      redis.disconnect();
    }
    await server?.stop();
    await recorded.shutdown();
  });

  it('onEnd returns at once, the queue never passes maxQueueSize, and the overflow is counted queue_full', async () => {
    const spans = recorded.hops(newRunId(), 1000);
    expect(processor.queueLength).toBe(0);
    const before = processor.stats.snapshot();
    server.pause();
    try {
      let longestQueue = 0;
      const started = performance.now();
      for (const span of spans) {
        processor.onEnd(span);
        longestQueue = Math.max(longestQueue, processor.queueLength);
      }
      const elapsedMs = performance.now() - started;
      hopsEnded += spans.length;
      console.log(`1,000 onEnd calls with Redis paused took ${elapsedMs.toFixed(2)} ms`);
      expect(elapsedMs).toBeLessThan(50);
      expect(longestQueue).toBe(maxQueueSize);
      expect(processor.stats.snapshot().dropped.queue_full - before.dropped.queue_full).toBe(990);

      // Flushing the queued ten while Redis hangs costs one export timeout, not a hang.
      const flushStarted = performance.now();
      await processor.forceFlush();
      const flushMs = performance.now() - flushStarted;
      console.log(`forceFlush with Redis paused took ${flushMs.toFixed(1)} ms`);
      expect(flushMs).toBeLessThan(1500);
      expect(processor.queueLength).toBe(0);
      expect(processor.stats.snapshot().dropped.timeout - before.dropped.timeout).toBe(10);
    } finally {
      server.resume();
    }

    // Redis is back: a new hop ended in the service flows through to Redis.
    const runId = newRunId();
    endHops(runId, 1);
    await processor.forceFlush();
    await waitFor(async () => (await redis.hlen(`${prefix}run:{${runId}}:hops`)) === 1, { what: 'the new hop' });
  });

  it('does not grow the heap with the number of hop spans ended while Redis hangs', async () => {
    server.pause();
    try {
      let longestQueue = 0;
      const endMany = (count: number): void => {
        for (let i = 0; i < count; i += 100) {
          endHops(newRunId(), 100);
          longestQueue = Math.max(longestQueue, processor.queueLength);
        }
      };
      endMany(5_000);
      const baseline = heapUsedAfterGc();
      endMany(50_000);
      const grown = heapUsedAfterGc() - baseline;
      console.log(`heap after 50,000 more hop spans with Redis paused: ${(grown / 1024).toFixed(0)} KiB more`);
      expect(longestQueue).toBeLessThanOrEqual(maxQueueSize);
      // 50,000 retained spans would be tens of MB; allow noise, not retention.
      expect(grown).toBeLessThan(4 * 1024 * 1024);
    } finally {
      server.resume();
    }
    await processor.forceFlush();

    // Every hop handed over is accounted for: written, a duplicate, or dropped for a reason.
    const stats = processor.stats.snapshot();
    console.log(`after ${hopsEnded} hops: ${JSON.stringify(stats)}`);
    expect(stats.written + stats.duplicates + stats.droppedTotal).toBe(hopsEnded);
    expect(stats.dropped.queue_full).toBeGreaterThan(50_000);
  });
});
