import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ExportResultCode } from '@opentelemetry/core';
import { newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/redis-server';
import { sleep } from '../../../test/support/wait';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

/** Every call of the write-hops script Redis received (run or rejected), from INFO commandstats. */
async function scriptCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)(?:[^\r\n]*rejected_calls=(\d+))?/gm)) {
    total += Number(m[1]) + Number(m[2] ?? 0);
  }
  return total;
}

async function usedMemory(redis: Redis): Promise<{ used: number; max: number }> {
  const info = await redis.info('memory');
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);
  return { used: field('used_memory'), max: field('maxmemory') };
}

/**
 * Writes junk until Redis refuses a write with OOM, then pins maxmemory well below what is used:
 * right at the limit, used_memory wobbles across it by ~100 KB (client query and output buffers
 * count, and are trimmed in the background), and a write would sometimes slip through.
 */
async function fillUp(redis: Redis, junkPrefix: string): Promise<void> {
  const value = 'x'.repeat(200);
  for (let i = 0; i < 20_000; i++) {
    try {
      await redis.set(`${junkPrefix}${i}`, value);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('OOM')) throw error;
      const { used } = await usedMemory(redis);
      await redis.config('SET', 'maxmemory', String(used - 512 * 1024));
      return;
    }
  }
  throw new Error('Redis never ran out of memory');
}

// RELIABILITY.md §2.4 and §6.1: with maxmemory reached and noeviction, writes fail with OOM. The
// exporter must count that as a drop (redis_oom) and move on: no retry storm against a full Redis.
describe('RedisHopExporter when Redis is out of memory', () => {
  const prefix = uniquePrefix('exp-oom');
  const junk = `${prefix}junk:`;
  const source = new SpanSource('storage', 'storage-1');
  let server: PrivateRedis;
  let redis: Redis;
  let exporter: RedisHopExporter;

  beforeAll(async () => {
    // 2 MB, not 1 MB: an empty Redis 7 with two clients already uses ~1 MB, which would leave no
    // room for the warm-up write or for recovery after the junk is deleted.
    server = await startPrivateRedis(['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction']);
    redis = testRedis(server.url);
    exporter = new RedisHopExporter({ redisUrl: server.url, keyPrefix: prefix });
    await untilReady(exporter.client);
  });

  afterAll(async () => {
    await exporter?.shutdown();
    if (redis) {
      await deleteKeysUnder(redis, prefix).catch(() => undefined);
      redis.disconnect();
    }
    await server?.stop();
    await source.shutdown();
  });

  it('fails the export, counts redis_oom, sends each write once, and recovers when memory is freed', async () => {
    // Warm up while there is room: the hop lands.
    const warm = newRunId();
    expect((await exportSpans(exporter, source.hops(warm, 1))).result.code).toBe(ExportResultCode.SUCCESS);

    await fillUp(redis, junk);
    await redis.config('RESETSTAT');
    const before = exporter.stats.snapshot();

    const runs = [newRunId(), newRunId(), newRunId(), newRunId(), newRunId()];
    const outcome = await exportSpans(
      exporter,
      runs.flatMap((r) => source.hops(r, 2)),
    );
    console.log(`export with Redis out of memory called back after ${outcome.elapsedMs.toFixed(1)} ms`);
    expect(outcome.result.code).toBe(ExportResultCode.FAILED);
    expect(String((outcome.result.error?.cause as Error | undefined)?.message)).toMatch(/^OOM/);
    expect(outcome.elapsedMs).toBeLessThan(250);
    const after = exporter.stats.snapshot();
    expect(after.dropped.redis_oom - before.dropped.redis_oom).toBe(10);
    expect(after.droppedTotal - before.droppedTotal).toBe(10);
    expect(after.written).toBe(before.written);
    for (const runId of runs) expect(await redis.exists(`${prefix}run:{${runId}}:hops`)).toBe(0);

    // One script call per run reached Redis (at most one more each for a NOSCRIPT fallback), and
    // nothing more arrives afterwards: no retries in the background.
    const sent = await scriptCommands(redis);
    console.log(`script calls Redis received for ${runs.length} runs while out of memory: ${sent}`);
    expect(sent).toBeGreaterThanOrEqual(runs.length);
    expect(sent).toBeLessThanOrEqual(2 * runs.length);
    await sleep(1000);
    expect(await scriptCommands(redis)).toBe(sent);
    expect(outcome.calls()).toBe(1);

    // Free the memory: the next export succeeds.
    await deleteKeysUnder(redis, junk);
    await redis.config('SET', 'maxmemory', '2mb');
    const runId = newRunId();
    expect((await exportSpans(exporter, source.hops(runId, 2))).result.code).toBe(ExportResultCode.SUCCESS);
    expect(await redis.hlen(`${prefix}run:{${runId}}:hops`)).toBe(2);
  });
});
