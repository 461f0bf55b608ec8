import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import { newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { deleteKeysUnder, testRedis, uniquePrefix, REDIS_URL } from '../../../test/support/redis';
import { freePort } from '../../../test/support/ports';
import { SpanSource, exportSpans } from './support/hop-spans';

// A service's first hops come right after it starts, while the exporter's own client is still
// connecting. With no offline queue they would fail at once; instead the export waits for the
// first connection, within its deadline.
describe('RedisHopExporter right after start', () => {
  const prefix = uniquePrefix('exp-first');
  const source = new SpanSource('starter', 'starter-1');
  let exporter: RedisHopExporter | undefined;

  afterEach(async () => {
    await exporter?.shutdown();
    exporter = undefined;
  });

  afterAll(async () => {
    const redis = testRedis();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    await source.shutdown();
  });

  it('writes the very first hop, exported before the client has connected', async () => {
    exporter = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix });
    expect(exporter.client.status).not.toBe('ready');
    const runId = newRunId();
    const outcome = await exportSpans(exporter, source.hops(runId, 1));
    expect(outcome.result.code).toBe(ExportResultCode.SUCCESS);
    expect(exporter.stats.snapshot()).toMatchObject({ written: 1, droppedTotal: 0 });
    const redis = testRedis();
    expect(await redis.hlen(`${prefix}run:{${runId}}:hops`)).toBe(1);
    redis.disconnect();
  });

  it('still answers within its deadline when the first connection never comes, and counts the drop', async () => {
    const closedPort = await freePort();
    exporter = new RedisHopExporter({
      redisUrl: `redis://127.0.0.1:${closedPort}`,
      keyPrefix: prefix,
      exportTimeoutMs: 300,
    });
    const outcome = await exportSpans(exporter, source.hops(newRunId(), 2));
    expect(outcome.result.code).toBe(ExportResultCode.FAILED);
    expect(outcome.elapsedMs).toBeLessThan(1000);
    expect(exporter.stats.snapshot().droppedTotal).toBe(2);
    // Waiting for the first connection must not leave listeners behind, export after export.
    for (let i = 0; i < 15; i++) await exportSpans(exporter, source.hops(newRunId(), 1));
    expect(exporter.client.listenerCount('ready')).toBeLessThanOrEqual(1);
  });
});
