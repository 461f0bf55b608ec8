import { afterAll, describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import { decodeHopRecord, newRunId } from '@hoptrace/core';
import { RedisHopExporter, type RedisHopExporterOptions } from '../../src/index';
import { REDIS_URL, deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../../../test/support/redis';
import { waitFor } from '../../../test/support/wait';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

// What lands in Redis: one hop record per hop span, in its run's hash, with a TTL; nothing else.
describe('RedisHopExporter writes hop records to Redis', () => {
  const redis = testRedis();
  const prefixes: string[] = [];
  const exporters: RedisHopExporter[] = [];
  const source = new SpanSource('checkout', 'checkout-7');

  async function newExporter(options: RedisHopExporterOptions = {}): Promise<{
    exporter: RedisHopExporter;
    prefix: string;
  }> {
    const prefix = uniquePrefix('exp-records');
    prefixes.push(prefix);
    const exporter = new RedisHopExporter({ redisUrl: REDIS_URL, keyPrefix: prefix, ...options });
    exporters.push(exporter);
    await untilReady(exporter.client);
    return { exporter, prefix };
  }

  afterAll(async () => {
    await Promise.all(exporters.map((e) => e.shutdown()));
    for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
    await source.shutdown();
    redis.disconnect();
  });

  it('stores one record per hop span under <prefix>run:{<runId>}:hops, field = span id, with a 1 h TTL', async () => {
    const { exporter, prefix } = await newExporter();
    const runId = newRunId();
    const spans = source.hops(runId, 3, { probe: 'deposit-voicemail' });

    const { result } = await exportSpans(exporter, spans);
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    const key = `${prefix}run:{${runId}}:hops`;
    expect(await keysUnder(redis, prefix)).toEqual([key]);
    const stored = await redis.hgetall(key);
    expect(Object.keys(stored).sort()).toEqual(spans.map((s) => s.spanContext().spanId).sort());
    for (const span of spans) {
      const hop = decodeHopRecord(stored[span.spanContext().spanId]!);
      expect(hop, 'value must be a valid hop record').toBeDefined();
      expect(hop).toMatchObject({
        v: 1,
        runId,
        probe: 'deposit-voicemail',
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext!.spanId,
        kind: 'server',
        service: 'checkout',
        instance: 'checkout-7',
        operation: span.name,
        status: 'ok',
      });
    }
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(exporter.stats.snapshot()).toMatchObject({ written: 3, duplicates: 0, droppedTotal: 0 });
  });

  it('honours a custom hopTtlMs: the hash expires by itself', async () => {
    const { exporter, prefix } = await newExporter({ hopTtlMs: 1500 });
    const runId = newRunId();
    const { result } = await exportSpans(exporter, source.hops(runId, 2));
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    const key = `${prefix}run:{${runId}}:hops`;
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(1500);
    expect(await redis.hlen(key)).toBe(2);
    await waitFor(async () => (await redis.exists(key)) === 0, { timeoutMs: 5000, what: 'the hop hash to expire' });
  });

  it('writes nothing for spans that are not hops, and reports success', async () => {
    const { exporter, prefix } = await newExporter();
    const runId = newRunId();
    const spans = source.nonHops(runId);
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /ordinary', 'POST /downstream', 'nested server']);

    const { result } = await exportSpans(exporter, spans);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(await keysUnder(redis, prefix)).toEqual([]);
    expect(exporter.stats.snapshot()).toMatchObject({ written: 0, duplicates: 0, droppedTotal: 0 });
  });

  it('puts each run of a mixed batch in its own key, ignoring the non-hop spans among them', async () => {
    const { exporter, prefix } = await newExporter();
    const runs = [newRunId(), newRunId(), newRunId()];
    const hopsByRun = new Map(runs.map((runId, i) => [runId, source.hops(runId, i + 1)]));
    const noise = source.nonHops(runs[0]!);
    // Interleave runs and noise, as a batch processor would hand them over.
    const batch = [...noise, ...runs.flatMap((r) => hopsByRun.get(r)!)].sort(() => Math.random() - 0.5);

    const { result } = await exportSpans(exporter, batch);
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    const keys = (await keysUnder(redis, prefix)).sort();
    expect(keys).toEqual(runs.map((r) => `${prefix}run:{${r}}:hops`).sort());
    for (const runId of runs) {
      const stored = await redis.hgetall(`${prefix}run:{${runId}}:hops`);
      const expected = hopsByRun.get(runId)!.map((s) => s.spanContext().spanId);
      expect(Object.keys(stored).sort()).toEqual(expected.sort());
      for (const raw of Object.values(stored)) expect(decodeHopRecord(raw)?.runId).toBe(runId);
    }
    expect(exporter.stats.snapshot()).toMatchObject({ written: 6, duplicates: 0, droppedTotal: 0 });
  });
});
