import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { HopRecord } from '@hoptrace/core';
import { waitForHops } from '../support/hops';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

// gateway --fetch--> middle --http.request--> backend (Express 4, CommonJS).
// Every service also exports to a real OTLP/HTTP receiver, as it would to Jaeger.
describe('a probe through three services (fetch, then http.request)', () => {
  const prefix = uniquePrefix('chain');
  let redis: Redis;
  let otlp: OtlpReceiver;
  const services: RunningService[] = [];
  /** Run ids of the probes sent: the only keys allowed under the prefix. */
  const probeRunIds: string[] = [];

  beforeAll(async () => {
    redis = testRedis();
    otlp = await startOtlpReceiver();
    const common = {
      HOPTRACE_KEY_PREFIX: prefix,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const backend = await startService('express4-cjs', { name: 'backend', env: common });
    const middle = await startService('express5-esm', {
      name: 'middle',
      env: { ...common, NEXT_URL: `${backend.url}/work`, CALL_WITH: 'http' },
    });
    const gateway = await startService('express5-esm', {
      name: 'gateway',
      env: { ...common, NEXT_URL: `${middle.url}/work`, CALL_WITH: 'fetch' },
    });
    services.push(gateway, middle, backend);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await otlp?.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  /** Walks up local parents inside one service until a span that is a hop (or nothing). */
  function localRootOf(span: ReceivedSpan): ReceivedSpan | undefined {
    let current: ReceivedSpan | undefined = span;
    while (current && current.kind !== SPAN_KIND_SERVER) {
      const parentId: string = current.parentSpanId;
      current = otlp.spans.find((s) => s.spanId === parentId && s.service === span.service);
    }
    return current;
  }

  it('writes one hop per service, under one trace, with correct parent links', async () => {
    const probe = probeRequest({ probe: 'chain' });
    probeRunIds.push(probe.runId);
    const res = await fetch(`${services[0]!.url}/work`, { headers: probe.headers });
    expect(res.status).toBe(200);

    const hops = await waitForHops(redis, prefix, probe.runId, 3);
    expect(hops).toHaveLength(3);
    const by = Object.fromEntries(hops.map((h) => [h.service, h])) as Record<string, HopRecord>;
    expect(Object.keys(by).sort()).toEqual(['backend', 'gateway', 'middle']);
    for (const hop of hops) {
      expect(hop.traceId).toBe(probe.traceId);
      expect(hop.runId).toBe(probe.runId);
      expect(hop.kind).toBe('server');
      expect(hop.status).toBe('ok');
    }
    // The first hop's parent is the caller's span (the Oamserver's root span, here the test).
    expect(by.gateway!.parentSpanId).toBe(probe.parentSpanId);

    // Each later hop's parent is a CLIENT span of the service before it, inside that service's hop.
    await waitFor(() => otlp.spans.filter((s) => s.traceId === probe.traceId).length >= 5, { what: 'OTLP spans' });
    for (const [caller, callee] of [
      ['gateway', 'middle'],
      ['middle', 'backend'],
    ] as const) {
      const client = otlp.spans.find((s) => s.spanId === by[callee]!.parentSpanId);
      expect(client, `${callee}'s parent span in OTLP`).toBeDefined();
      expect(client!.kind).toBe(SPAN_KIND_CLIENT);
      expect(client!.service).toBe(caller);
      expect(localRootOf(client!)?.spanId).toBe(by[caller]!.spanId);
    }
    // Each caller's hop record names the outgoing call that became the next hop (its exits), so
    // the Oamserver can order hops without comparing the clocks of different hosts.
    expect(by.gateway!.exits?.map((e) => e.spanId)).toContain(by.middle!.parentSpanId);
    expect(by.middle!.exits?.map((e) => e.spanId)).toContain(by.backend!.parentSpanId);
    expect(by.backend!.exits).toBeUndefined();
    // ... and where each call went, so a call that reached no hop can still name its target.
    const middlePort = new URL(services[1]!.url).port;
    expect(by.gateway!.exits?.find((e) => e.spanId === by.middle!.parentSpanId)?.peer).toBe(`127.0.0.1:${middlePort}`);
    const backendPort = new URL(services[2]!.url).port;
    expect(by.middle!.exits?.find((e) => e.spanId === by.backend!.parentSpanId)?.peer).toBe(`127.0.0.1:${backendPort}`);
    // Later hops start after earlier ones and nest inside them in time.
    expect(by.middle!.startUs).toBeGreaterThanOrEqual(by.gateway!.startUs);
    expect(by.gateway!.durationUs).toBeGreaterThan(by.middle!.durationUs);
    expect(by.middle!.durationUs).toBeGreaterThan(by.backend!.durationUs);
  });

  it('sends every span of the probe to OTLP, tagged as a synthetic hoptrace run', async () => {
    const probe = probeRequest({ probe: 'chain' });
    probeRunIds.push(probe.runId);
    await (await fetch(`${services[0]!.url}/work`, { headers: probe.headers })).arrayBuffer();
    const spans = await waitFor(
      () => {
        const found = otlp.spans.filter((s) => s.traceId === probe.traceId);
        return found.filter((s) => s.kind === SPAN_KIND_SERVER).length >= 3 ? found : undefined;
      },
      { what: 'the probe trace in OTLP' },
    );
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gateway', 'middle', 'backend']));
    for (const span of spans) {
      expect(span.attributes['hoptrace.run.id']).toBe(probe.runId);
      expect(span.attributes['hoptrace.probe.name']).toBe('chain');
      expect(span.attributes['user_agent.synthetic.type']).toBe('test');
    }
  });

  it('sends ordinary traffic to OTLP only, untagged, and nothing to Redis', async () => {
    const res = await fetch(`${services[0]!.url}/work`);
    expect(res.status).toBe(200);
    // The backend's span ends first and the gateway's last: wait for the whole trace, not its first span.
    const trace = await waitFor(
      () => {
        const server = otlp.spans.find(
          (s) =>
            s.service === 'backend' && s.kind === SPAN_KIND_SERVER && s.attributes['hoptrace.run.id'] === undefined,
        );
        const spans = server ? otlp.spans.filter((s) => s.traceId === server.traceId) : [];
        return spans.some((s) => s.service === 'gateway') ? spans : undefined;
      },
      { what: 'an ordinary trace from the gateway to the backend in OTLP' },
    );
    expect(trace.every((s) => s.attributes['user_agent.synthetic.type'] === undefined)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const allowed = new Set(probeRunIds.map((id) => `${prefix}run:{${id}}:hops`));
    expect((await keysUnder(redis, prefix)).filter((key) => !allowed.has(key))).toEqual([]);
  });
});
