import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import { decodeHopRecord, newRunId, type HoptraceError } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/redis-server';
import { sleep, waitFor } from '../../../test/support/wait';
import { SpanSource, exportSpans, untilReady, type ExportOutcome } from './support/hop-spans';

// RELIABILITY.md §6.1 (hung) and G3: a Redis that hangs (SIGSTOP: connection open, no answers)
// costs an export no more than exportTimeoutMs. The write may still be applied once Redis wakes
// up, so a replay of it must count as a duplicate, not a second record.
describe('RedisHopExporter when Redis hangs', () => {
  const prefix = uniquePrefix('exp-paused');
  const exportTimeoutMs = 300;
  const source = new SpanSource('voicemail', 'voicemail-2');
  let server: PrivateRedis;
  let exporter: RedisHopExporter;

  beforeAll(async () => {
    server = await startPrivateRedis();
    exporter = new RedisHopExporter({ redisUrl: server.url, keyPrefix: prefix, exportTimeoutMs });
    await untilReady(exporter.client);
  });

  afterAll(async () => {
    server?.resume();
    await exporter?.shutdown();
    if (server) {
      const redis = testRedis(server.url);
      await deleteKeysUnder(redis, prefix).catch(() => undefined);
      redis.disconnect();
      await server.stop();
    }
    await source.shutdown();
  });

  it('calls back FAILED within the export timeout, counts timeout, and a replay after resume is a duplicate', async () => {
    // Warm up: connection open and the script known to this connection, as in a running service.
    expect((await exportSpans(exporter, source.hops(newRunId(), 1))).result.code).toBe(ExportResultCode.SUCCESS);
    const before = exporter.stats.snapshot();

    const runId = newRunId();
    const spans = source.hops(runId, 2);
    server.pause();
    let resumed = false;
    try {
      const outcome = await exportSpans(exporter, spans);
      console.log(`export with Redis paused called back after ${outcome.elapsedMs.toFixed(1)} ms`);
      expect(outcome.result.code).toBe(ExportResultCode.FAILED);
      expect((outcome.result.error as HoptraceError).code).toBe('HOPTRACE_EXPORT_TIMEOUT');
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(exportTimeoutMs - 5);
      expect(outcome.elapsedMs).toBeLessThan(1500);
      const after = exporter.stats.snapshot();
      expect(after.dropped.timeout - before.dropped.timeout).toBe(2);
      expect(after.droppedTotal - before.droppedTotal).toBe(2);

      // The client's own command timeout (500 ms) fires later: no second callback, no second count.
      await sleep(700);
      expect(outcome.calls()).toBe(1);
      expect(exporter.stats.snapshot()).toEqual(after);

      server.resume();
      resumed = true;
      // The write was on the socket when Redis stopped: now that it runs again, it is applied.
      const redis = testRedis(server.url);
      try {
        const key = `${prefix}run:{${runId}}:hops`;
        await waitFor(async () => (await redis.hlen(key)) === 2, {
          timeoutMs: 5000,
          what: 'the timed-out write to be applied after resume',
        });

        const replay = await exportSpans(exporter, spans);
        expect(replay.result.code).toBe(ExportResultCode.SUCCESS);
        const afterReplay = exporter.stats.snapshot();
        expect(afterReplay.duplicates - after.duplicates).toBe(2);
        expect(afterReplay.written - after.written).toBe(0);
        const stored = await redis.hgetall(key);
        expect(Object.keys(stored).sort()).toEqual(spans.map((s) => s.spanContext().spanId).sort());
        for (const raw of Object.values(stored)) expect(decodeHopRecord(raw)?.runId).toBe(runId);

        // And new hops flow again.
        const fresh = newRunId();
        expect((await exportSpans(exporter, source.hops(fresh, 1))).result.code).toBe(ExportResultCode.SUCCESS);
        expect(await redis.hlen(`${prefix}run:{${fresh}}:hops`)).toBe(1);
      } finally {
        redis.disconnect();
      }
    } finally {
      if (!resumed) server.resume();
    }
  });

  it('counts a command timeout shorter than the export timeout as timeout too', async () => {
    const quick = new RedisHopExporter({
      redisUrl: server.url,
      keyPrefix: prefix,
      exportTimeoutMs: 2000,
      commandTimeoutMs: 200,
    });
    try {
      await untilReady(quick.client);
      server.pause();
      let outcome: ExportOutcome;
      try {
        outcome = await exportSpans(quick, source.hops(newRunId(), 3));
      } finally {
        server.resume();
      }
      console.log(`commandTimeoutMs 200 with Redis paused: callback after ${outcome.elapsedMs.toFixed(1)} ms`);
      expect(outcome.result.code).toBe(ExportResultCode.FAILED);
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(195);
      expect(outcome.elapsedMs).toBeLessThan(1000);
      expect(quick.stats.snapshot().dropped.timeout).toBe(3);
      expect(quick.stats.snapshot().droppedTotal).toBe(3);
    } finally {
      await quick.shutdown();
    }
  });

  it('keeps every export of a long hang within the timeout (no pile-up behind earlier ones)', async () => {
    const before = exporter.stats.snapshot();
    server.pause();
    const elapsed: number[] = [];
    try {
      // Five exports back to back, longer in total than the client's command timeout.
      for (let i = 0; i < 5; i++) {
        const outcome = await exportSpans(exporter, source.hops(newRunId(), 1));
        expect(outcome.result.code).toBe(ExportResultCode.FAILED);
        elapsed.push(outcome.elapsedMs);
      }
    } finally {
      server.resume();
    }
    console.log(`5 exports with Redis paused: ${elapsed.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    for (const ms of elapsed) expect(ms).toBeLessThan(1500);
    const after = exporter.stats.snapshot();
    expect(after.dropped.timeout - before.dropped.timeout).toBe(5);
    await waitFor(
      async () => (await exportSpans(exporter, source.hops(newRunId(), 1))).result.code === ExportResultCode.SUCCESS,
      {
        timeoutMs: 5000,
        what: 'exports to succeed after resume',
      },
    );
  });
});
