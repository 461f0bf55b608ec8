import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { HopRecord } from '@hoptrace/core';
import { waitForHops } from '../support/hops';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

const SPAN_KIND_PRODUCER = 4;

// publisher --XADD--> Redis Stream --XREAD--> consumer --fetch--> tail
describe('a hop through a Redis Stream', () => {
  const prefix = uniquePrefix('stream');
  const stream = `${prefix}events`;
  const brokenStream = `${prefix}events-broken`;
  let redis: Redis;
  let otlp: OtlpReceiver;
  const services: Record<string, RunningService> = {};

  beforeAll(async () => {
    redis = testRedis();
    otlp = await startOtlpReceiver();
    const common = {
      HOPTRACE_KEY_PREFIX: prefix,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    services.tail = await startService('express4-cjs', { name: 'tail', env: common });
    services.consumer = await startService('express5-esm', {
      name: 'consumer',
      env: { ...common, CONSUME_STREAM: stream, NEXT_URL: `${services.tail.url}/work` },
    });
    services.publisher = await startService('express5-esm', {
      name: 'publisher',
      env: { ...common, PUBLISH_STREAM: stream },
    });
    // A publisher that loses the trace context on the way (it strips traceparent and baggage).
    services.brokenConsumer = await startService('express5-esm', {
      name: 'broken-consumer',
      env: { ...common, CONSUME_STREAM: brokenStream },
    });
    services.brokenPublisher = await startService('express5-esm', {
      name: 'broken-publisher',
      env: { ...common, PUBLISH_STREAM: brokenStream, DROP_CONTEXT: '1' },
    });
    // Let the consumers' first XREAD (from `$`) start before anything is published.
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await otlp?.close();
    await redis.del(stream, brokenStream);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('keeps the trace and the probe across the queue, and reports a consumer hop', async () => {
    const probe = probeRequest({ probe: 'queued' });
    const res = await fetch(`${services.publisher!.url}/work`, { headers: probe.headers });
    expect(res.status).toBe(200);

    const hops = await waitForHops(redis, prefix, probe.runId, 3);
    const by = Object.fromEntries(hops.map((h) => [h.service, h])) as Record<string, HopRecord>;
    expect(Object.keys(by).sort()).toEqual(['consumer', 'publisher', 'tail']);
    for (const hop of hops) expect(hop.traceId).toBe(probe.traceId);

    const consumer = by.consumer!;
    expect(consumer.kind).toBe('consumer');
    expect(consumer.operation).toBe(`process ${stream}`);
    expect(consumer.status).toBe('ok');
    expect(consumer.queueWaitUs).toBeGreaterThanOrEqual(0);
    expect(consumer.queueWaitUs).toBeLessThan(5_000_000);

    // The consumer's parent is the publisher's PRODUCER span, inside the publisher's hop.
    const producer = await waitFor(() => otlp.spans.find((s) => s.spanId === consumer.parentSpanId), {
      what: 'the producer span in OTLP',
    });
    expect(producer.kind).toBe(SPAN_KIND_PRODUCER);
    expect(producer.service).toBe('publisher');
    expect(producer.name).toBe(`send ${stream}`);
    expect(by.publisher!.exits?.map((e) => e.spanId)).toContain(consumer.parentSpanId);

    // Past the queue the probe is still a probe: the tail service saw it and its hop's parent
    // is a span of the consumer.
    expect(by.tail!.kind).toBe('server');
    const tailParent = await waitFor(() => otlp.spans.find((s) => s.spanId === by.tail!.parentSpanId), {
      what: 'the tail hop parent in OTLP',
    });
    expect(tailParent.service).toBe('consumer');
  });

  it('reports a consumer hop under another trace when the message lost its trace context', async () => {
    const probe = probeRequest({ probe: 'queued' });
    await (await fetch(`${services.brokenPublisher!.url}/work`, { headers: probe.headers })).arrayBuffer();
    const hops = await waitForHops(redis, prefix, probe.runId, 2);
    const consumer = hops.find((h) => h.service === 'broken-consumer');
    expect(consumer).toBeDefined();
    expect(consumer!.kind).toBe('consumer');
    expect(consumer!.runId).toBe(probe.runId);
    // The run id travelled in the message, the trace did not: this is what tells
    // "context broken" apart from "lost".
    expect(consumer!.traceId).not.toBe(probe.traceId);
    expect(consumer!.originTraceId).toBe(probe.traceId);
  });
});
