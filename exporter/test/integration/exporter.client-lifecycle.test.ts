import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ExportResultCode } from '@opentelemetry/core';
import { HoptraceError, newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { REDIS_URL, deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { waitFor } from '../../../test/support/wait';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

/** Whether the server still lists a connection with this CLIENT ID. */
async function serverHasClient(redis: Redis, id: number): Promise<boolean> {
  const list = String(await redis.call('CLIENT', 'LIST'));
  return list.split('\n').some((line) => line.startsWith(`id=${id} `));
}

// Whose client is it? A client the host passes in stays the host's; the exporter's own is closed.
describe('RedisHopExporter client ownership and shutdown', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('exp-life');
  const source = new SpanSource('gateway', 'gateway-1');

  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    await source.shutdown();
    redis.disconnect();
  });

  it('writes through a client passed in and leaves it open after shutdown()', async () => {
    const own = new Redis(REDIS_URL, { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 1 });
    try {
      await untilReady(own);
      const exporter = new RedisHopExporter({ redis: own, keyPrefix: prefix });
      expect(exporter.client).toBe(own);
      const runId = newRunId();
      const { result } = await exportSpans(exporter, source.hops(runId, 2));
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(await redis.hlen(`${prefix}run:{${runId}}:hops`)).toBe(2);

      await exporter.shutdown();
      await exporter.shutdown(); // idempotent

      expect(own.status).toBe('ready');
      expect(await own.ping()).toBe('PONG');
    } finally {
      own.disconnect();
    }
  });

  it('closes its own client on shutdown(): the server no longer lists the connection', async () => {
    const exporter = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix });
    await untilReady(exporter.client);
    const id = Number(await exporter.client.call('CLIENT', 'ID'));
    expect(await serverHasClient(redis, id)).toBe(true);

    await exporter.shutdown();

    // QUIT was answered; the socket closes a moment later.
    await waitFor(() => exporter.client.status === 'end', { timeoutMs: 2000, what: 'the client to end' });
    await waitFor(async () => !(await serverHasClient(redis, id)), {
      timeoutMs: 3000,
      what: 'the connection to close',
    });
  });

  it('waits for an export in flight before closing its client', async () => {
    const exporter = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix });
    await untilReady(exporter.client);
    const runId = newRunId();
    const outcome = exportSpans(exporter, source.hops(runId, 3));
    await exporter.shutdown();

    expect((await outcome).result.code).toBe(ExportResultCode.SUCCESS);
    expect(await redis.hlen(`${prefix}run:{${runId}}:hops`)).toBe(3);
    expect(exporter.stats.snapshot().written).toBe(3);
  });

  it('after shutdown, export() calls back FAILED at once, counts the hops as shutdown, writes nothing', async () => {
    const exporter = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix });
    await untilReady(exporter.client);
    await exporter.shutdown();

    const runId = newRunId();
    const outcome = await exportSpans(exporter, [...source.hops(runId, 2), ...source.nonHops(runId)]);
    expect(outcome.result.code).toBe(ExportResultCode.FAILED);
    expect(outcome.result.error).toBeInstanceOf(HoptraceError);
    expect((outcome.result.error as HoptraceError).code).toBe('HOPTRACE_EXPORTER_SHUTDOWN');
    expect(outcome.elapsedMs).toBeLessThan(50);
    // Only the two hop spans are counted; the non-hop spans were never the exporter's business.
    expect(exporter.stats.snapshot().dropped.shutdown).toBe(2);
    expect(exporter.stats.snapshot().droppedTotal).toBe(2);
    expect(await keysUnder(redis, `${prefix}run:{${runId}}`)).toEqual([]);
    expect(outcome.calls()).toBe(1);
  });
});
