import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { decodeHopRecord } from '@hoptrace/core';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../support/redis';
import { serviceStats, startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

// An Express 5 ES-module app written in plain JavaScript, started with
// `node --import @hoptrace/instrument/register app.js` and configured only by environment.
describe('drop-in for an ES-module Express 5 service (--import)', () => {
  const prefix = uniquePrefix('esm');
  let redis: Redis;
  let service: RunningService;

  beforeAll(async () => {
    redis = testRedis();
    // Ordinary traffic sampled at 1%: probes must be recorded anyway.
    service = await startService('express5-esm', {
      name: 'esm-svc',
      env: {
        HOPTRACE_KEY_PREFIX: prefix,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.01',
        OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=esm-svc-1',
      },
    });
  });

  afterAll(async () => {
    await service?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('writes one hop record for a probe request', async () => {
    const probe = probeRequest({ probe: 'esm-probe' });
    const res = await fetch(`${service.url}/work`, { headers: probe.headers });
    expect(res.status).toBe(200);
    // Business code sees the verified probe through the middleware.
    expect(await res.json()).toMatchObject({ probe: { name: 'esm-probe', runId: probe.runId } });

    const key = `${prefix}run:{${probe.runId}}:hops`;
    const fields = await waitFor(
      async () => {
        const all = await redis.hgetall(key);
        return Object.keys(all).length > 0 ? all : undefined;
      },
      { what: 'hop record' },
    );
    const hops = Object.values(fields).map((raw) => decodeHopRecord(raw));
    expect(hops).toHaveLength(1);
    const hop = hops[0]!;
    expect(hop).toMatchObject({
      runId: probe.runId,
      probe: 'esm-probe',
      traceId: probe.traceId,
      parentSpanId: probe.parentSpanId,
      kind: 'server',
      service: 'esm-svc',
      instance: 'esm-svc-1',
      operation: 'GET /work',
      status: 'ok',
      httpStatus: 200,
    });
    expect(hop.durationUs).toBeGreaterThan(0);
    expect(Math.abs(hop.startUs / 1000 - Date.now())).toBeLessThan(10_000);
    // The hop key expires (default TTL one hour).
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('records an application error on the hop', async () => {
    const probe = probeRequest();
    const res = await fetch(`${service.url}/fail`, { headers: probe.headers });
    expect(res.status).toBe(500);
    const raw = await waitFor(async () => Object.values(await redis.hgetall(`${prefix}run:{${probe.runId}}:hops`))[0], {
      what: 'error hop',
    });
    // The exception is recorded by Express on a child span; the hop record still says why.
    expect(decodeHopRecord(raw)).toMatchObject({
      status: 'error',
      httpStatus: 500,
      operation: 'GET /fail',
      errorType: 'Error',
      errorMessage: 'boom from the app',
    });
  });

  it('writes nothing at all for 1,000 ordinary requests', async () => {
    const before = await keysUnder(redis, prefix);
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${service.url}/work`)));
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ ok: true, probe: null });
      }
    }
    // Give a hop time to be flushed, were one wrongly queued (the flush delay is 200 ms).
    await new Promise((r) => setTimeout(r, 600));
    expect(await keysUnder(redis, prefix)).toEqual(before);
    const stats = await serviceStats(service);
    expect(stats.droppedTotal).toBe(0);
  });
});
