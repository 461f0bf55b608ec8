import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { HopRecord } from '@hoptrace/core';
import { readHops, waitForHops } from '../support/hops';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { freePort } from '../support/ports';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../support/redis';
import { serviceStats, startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

type Mode = 'full' | 'probe-only';

/**
 * The same small platform, once per mode:
 *   gateway --fetch (after a timer, twice)--> middle --http.request--> backend (Express 4, CommonJS)
 *                                       \--> backend
 *   publisher --XADD (ioredis)--> Redis Stream --XREAD--> consumer --fetch--> backend
 * The probe-only one also exports to a real OTLP receiver, where every span it starts shows.
 */
interface Platform {
  mode: Mode;
  prefix: string;
  stream: string;
  services: Record<'backend' | 'middle' | 'gateway' | 'consumer' | 'publisher', RunningService>;
  otlp?: OtlpReceiver;
}

async function startPlatform(mode: Mode, otlp?: OtlpReceiver): Promise<Platform> {
  const prefix = uniquePrefix(`probe-only-${mode}`);
  const stream = `${prefix}events`;
  const common: Record<string, string> = { HOPTRACE_KEY_PREFIX: prefix, HOPTRACE_MODE: mode };
  if (otlp) {
    Object.assign(common, {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }
  const backend = await startService('express4-cjs', { name: 'backend', env: common });
  const [middle, consumer, publisher] = await Promise.all([
    startService('express5-esm', {
      name: 'middle',
      env: { ...common, NEXT_URL: `${backend.url}/work`, CALL_WITH: 'http' },
    }),
    startService('express5-esm', {
      name: 'consumer',
      env: { ...common, CONSUME_STREAM: stream, NEXT_URL: `${backend.url}/work` },
    }),
    startService('express5-esm', { name: 'publisher', env: { ...common, PUBLISH_STREAM: stream } }),
  ]);
  const gateway = await startService('express5-esm', {
    name: 'gateway',
    env: { ...common, NEXT_URL: `${middle.url}/work,${backend.url}/work`, CALL_WITH: 'fetch', DELAY_MS: '5' },
  });
  return { mode, prefix, stream, services: { backend, middle, gateway, consumer, publisher }, otlp };
}

/**
 * A run's hops without what differs from one run to the next (ids, times, ports): each hop with
 * the service its parent span belongs to (by the exits of the hops) and the services its exits
 * called (by port).
 */
function shapeOf(hops: HopRecord[], platform: Platform) {
  const serviceAtPort = new Map(Object.values(platform.services).map((s) => [`127.0.0.1:${s.port}`, s.name]));
  const callerOf = (spanId: string | undefined) =>
    hops.find((h) => h.exits?.some((e) => e.spanId === spanId))?.service ?? 'outside';
  return hops
    .map((hop) => ({
      service: hop.service,
      kind: hop.kind,
      operation: hop.operation.replace(platform.stream, '<stream>'),
      status: hop.status,
      httpStatus: hop.httpStatus,
      errorType: hop.errorType,
      errorMessage: hop.errorMessage,
      queueWaitKnown: hop.queueWaitUs !== undefined,
      calledBy: callerOf(hop.parentSpanId),
      calls: (hop.exits ?? []).map((e) => (e.peer ? (serviceAtPort.get(e.peer) ?? e.peer) : 'no peer')),
    }))
    .sort(
      (a, b) =>
        a.service.localeCompare(b.service) ||
        a.operation.localeCompare(b.operation) ||
        a.calledBy.localeCompare(b.calledBy),
    );
}

describe('probe-only mode', () => {
  let redis: Redis;
  let otlp: OtlpReceiver;
  let full: Platform;
  let probeOnly: Platform;
  /** Runs sent through the probe-only platform: the only runs allowed to have keys there. */
  const probeOnlyRuns: string[] = [];

  beforeAll(async () => {
    redis = testRedis();
    otlp = await startOtlpReceiver();
    [full, probeOnly] = await Promise.all([startPlatform('full'), startPlatform('probe-only', otlp)]);
    // Let the consumers' first XREAD (from `$`) start before anything is published.
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(async () => {
    for (const platform of [full, probeOnly]) {
      if (!platform) continue;
      await Promise.all(Object.values(platform.services).map((s) => s.stop()));
      await redis.del(platform.stream);
      await deleteKeysUnder(redis, platform.prefix);
    }
    await otlp?.close();
    redis.disconnect();
  });

  async function sendProbe(platform: Platform, service: keyof Platform['services'], path: string, hopCount: number) {
    const probe = probeRequest({ probe: 'modes' });
    const res = await fetch(`${platform.services[service].url}${path}`, { headers: probe.headers });
    await res.arrayBuffer();
    if (platform === probeOnly) probeOnlyRuns.push(probe.runId);
    const hops = await waitForHops(redis, platform.prefix, probe.runId, hopCount);
    return { probe, status: res.status, hops };
  }

  it('says its mode when the service starts', () => {
    expect(probeOnly.services.gateway.stderr()).toContain('mode probe-only');
    expect(full.services.gateway.stderr()).toContain('mode full');
  });

  it('gives a probe through fetch, timers and http.request the same hop records as full mode', async () => {
    const [inFull, inProbeOnly] = await Promise.all([
      sendProbe(full, 'gateway', '/work', 4),
      sendProbe(probeOnly, 'gateway', '/work', 4),
    ]);
    expect(inProbeOnly.status).toBe(200);
    const expected = shapeOf(inFull.hops, full);
    expect(shapeOf(inProbeOnly.hops, probeOnly)).toEqual(expected);
    // And that shape is the right one, not merely the same.
    expect(expected.map((h) => `${h.calledBy}->${h.service} ${h.operation}`)).toEqual([
      'gateway->backend GET /work',
      'middle->backend GET /work',
      'outside->gateway GET /work',
      'gateway->middle GET /work',
    ]);
    expect(expected.find((h) => h.service === 'gateway')!.calls).toEqual(['middle', 'backend']);
    for (const hop of inProbeOnly.hops) {
      expect(hop.traceId).toBe(inProbeOnly.probe.traceId);
      expect(hop.runId).toBe(inProbeOnly.probe.runId);
      expect(hop.probe).toBe('modes');
    }
    expect(inProbeOnly.hops.find((h) => h.service === 'gateway')!.parentSpanId).toBe(inProbeOnly.probe.parentSpanId);
  });

  it('gives a probe across a Redis Stream (ioredis XADD, a consumer hop) the same hop records as full mode', async () => {
    const [inFull, inProbeOnly] = await Promise.all([
      sendProbe(full, 'publisher', '/work', 3),
      sendProbe(probeOnly, 'publisher', '/work', 3),
    ]);
    const shape = shapeOf(inProbeOnly.hops, probeOnly);
    expect(shape).toEqual(shapeOf(inFull.hops, full));
    const consumer = shape.find((h) => h.service === 'consumer')!;
    expect(consumer).toMatchObject({ kind: 'consumer', calledBy: 'publisher', queueWaitKnown: true });
    expect(consumer.operation).toBe('process <stream>');
  });

  it('records a thrown error the same way: Express 5 (ES modules) and Express 4 (CommonJS)', async () => {
    const cases = [
      { service: 'gateway', path: '/fail', errorType: 'Error', errorMessage: 'boom from the app' },
      { service: 'backend', path: '/throw', errorType: 'RangeError', errorMessage: 'boom from express 4' },
    ] as const;
    for (const { service, path, errorType, errorMessage } of cases) {
      const [inFull, inProbeOnly] = await Promise.all([
        sendProbe(full, service, path, 1),
        sendProbe(probeOnly, service, path, 1),
      ]);
      expect(inProbeOnly.status).toBe(500);
      const shape = shapeOf(inProbeOnly.hops, probeOnly);
      expect(shape).toEqual(shapeOf(inFull.hops, full));
      expect(shape[0]).toMatchObject({
        status: 'error',
        httpStatus: 500,
        operation: `GET ${path}`,
        errorType,
        errorMessage,
      });
    }
  });

  it('records a 5xx answer without an exception the same way', async () => {
    const [inFull, inProbeOnly] = await Promise.all([
      sendProbe(full, 'backend', '/fail', 1),
      sendProbe(probeOnly, 'backend', '/fail', 1),
    ]);
    const shape = shapeOf(inProbeOnly.hops, probeOnly);
    expect(shape).toEqual(shapeOf(inFull.hops, full));
    expect(shape[0]).toMatchObject({ status: 'error', httpStatus: 500, errorType: undefined });
  });

  it('keeps currentProbe() working inside a probe, and undefined outside', async () => {
    const probe = probeRequest({ probe: 'who-am-i' });
    probeOnlyRuns.push(probe.runId);
    const inside = await fetch(`${probeOnly.services.gateway.url}/probe-info`, { headers: probe.headers });
    expect(await inside.json()).toEqual({ probe: { name: 'who-am-i', runId: probe.runId } });
    const outside = await fetch(`${probeOnly.services.gateway.url}/probe-info`);
    expect(await outside.json()).toEqual({ probe: null });
  });

  it('leaves ordinary traffic alone: no span started, nothing written, nothing looked at past the baggage header', async () => {
    const before = await serviceStats(probeOnly.services.gateway);
    const ordinary = Array.from({ length: 20 }, (_, i) =>
      fetch(`${probeOnly.services[i % 2 === 0 ? 'gateway' : 'publisher'].url}/work`, {
        // Someone else's trace context and baggage: carried by ordinary traffic, never continued here.
        headers: i % 4 === 0 ? { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`, baggage: 'user=42' } : {},
      }).then((r) => r.arrayBuffer().then(() => r.status)),
    );
    expect(await Promise.all(ordinary)).toEqual(Array(20).fill(200));
    // A probe afterwards: once its spans are in, every earlier span would be too.
    const { probe } = await sendProbe(probeOnly, 'gateway', '/work', 4);
    await waitFor(() => otlp.spans.filter((s) => s.traceId === probe.traceId).length >= 4 + 3, {
      what: 'the probe spans in OTLP',
    });
    // Every span this platform ever sent is a probe's; the foreign trace did not continue here.
    expect(otlp.spans.filter((s) => s.attributes['hoptrace.run.id'] === undefined)).toEqual([]);
    expect(otlp.spans.some((s) => s.traceId === 'ab'.repeat(16))).toBe(false);
    const after = await serviceStats(probeOnly.services.gateway);
    // The gateway looked past the baggage header of the probe only.
    expect(after.probeCandidates - before.probeCandidates).toBe(1);
    const allowed = new Set([probeOnly.stream, ...probeOnlyRuns.map((id) => `${probeOnly.prefix}run:{${id}}:hops`)]);
    expect((await keysUnder(redis, probeOnly.prefix)).filter((key) => !allowed.has(key))).toEqual([]);
  });

  it('treats a forged, expired or oversized marker as ordinary traffic, and counts it', async () => {
    const gateway = probeOnly.services.gateway;
    const before = await serviceStats(gateway);
    const forged = probeRequest({ probe: 'forged', secret: 'not-the-secret-0123456789abcdef' });
    const expired = probeRequest({ probe: 'expired', expiresAtMs: Date.now() - 10 * 60_000 });
    const oversized = probeRequest({ probe: 'oversized' });
    oversized.headers.baggage = `hoptrace.probe=${'x'.repeat(4000)}`;
    for (const attempt of [forged, expired, oversized]) {
      const res = await fetch(`${gateway.url}/work`, { headers: attempt.headers });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { probe: unknown }).probe).toBeNull();
    }
    const after = await serviceStats(gateway);
    expect(after.probeCandidates - before.probeCandidates).toBe(3);
    expect(after.rejectedTokens['bad-signature']! - before.rejectedTokens['bad-signature']!).toBe(1);
    expect(after.rejectedTokens.expired! - before.rejectedTokens.expired!).toBe(1);
    expect(after.rejectedTokens.oversized! - before.rejectedTokens.oversized!).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    for (const attempt of [forged, expired, oversized]) {
      expect(await readHops(redis, probeOnly.prefix, attempt.runId)).toEqual([]);
    }
  });
});

describe('probe-only mode without Redis', () => {
  let service: RunningService;

  beforeAll(async () => {
    service = await startService('express5-esm', {
      name: 'no-redis',
      env: {
        HOPTRACE_MODE: 'probe-only',
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        HOPTRACE_EXPORT_TIMEOUT_MS: '200',
      },
    });
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('answers probes and ordinary requests as usual, and counts the hops it could not write', async () => {
    for (let i = 0; i < 5; i++) {
      const probe = probeRequest({ probe: 'redis-down' });
      const res = await fetch(`${service.url}/work`, { headers: probe.headers });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { probe: { runId: string } }).probe.runId).toBe(probe.runId);
      expect((await fetch(`${service.url}/work`)).status).toBe(200);
    }
    const stats = await waitFor(
      async () => {
        const current = await serviceStats(service);
        return current.droppedTotal >= 5 ? current : undefined;
      },
      { what: '5 hops counted as dropped' },
    );
    expect(stats.written).toBe(0);
    expect(stats.probeCandidates).toBe(5);
    expect(stats.droppedTotal).toBeGreaterThanOrEqual(5);
  });
});

describe('the default mode', () => {
  it('is probe-only without an OTLP endpoint, full with one', async () => {
    const [bare, exporting] = await Promise.all([
      startService('express4-cjs', { name: 'default-bare' }),
      startService('express4-cjs', {
        name: 'default-exporting',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` },
      }),
    ]);
    try {
      expect(bare.stderr()).toContain('mode probe-only (no OTLP endpoint');
      expect(exporting.stderr()).toContain('mode full (an OTLP endpoint');
    } finally {
      await Promise.all([bare.stop(), exporting.stop()]);
    }
  });
});
