import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { waitForHops } from '../support/hops';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';

// An Express 4 CommonJS app in plain JavaScript, started with
// `node --require @hoptrace/instrument/register app.cjs`, ordinary traffic sampled at 0%.
describe('drop-in for a CommonJS Express 4 service (--require)', () => {
  const prefix = uniquePrefix('cjs');
  let redis: Redis;
  let service: RunningService;

  beforeAll(async () => {
    redis = testRedis();
    service = await startService('express4-cjs', {
      name: 'cjs-svc',
      env: { HOPTRACE_KEY_PREFIX: prefix, OTEL_TRACES_SAMPLER: 'always_off' },
    });
  });

  afterAll(async () => {
    await service?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('writes a hop record for a probe request even with sampling at 0%', async () => {
    const probe = probeRequest({ probe: 'cjs-probe' });
    const res = await fetch(`${service.url}/work`, { headers: probe.headers });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ probe: { name: 'cjs-probe', runId: probe.runId } });
    const [hop] = await waitForHops(redis, prefix, probe.runId, 1);
    expect(hop).toMatchObject({
      probe: 'cjs-probe',
      traceId: probe.traceId,
      parentSpanId: probe.parentSpanId,
      service: 'cjs-svc',
      operation: 'GET /work',
      kind: 'server',
      status: 'ok',
    });
    // Without service.instance.id the instance is host:pid.
    expect(hop!.instance).toBe(`${(await import('node:os')).hostname()}:${service.process.pid}`);
  });

  it('keeps a probe whose caller did not sample it (traceparent flag 00)', async () => {
    const probe = probeRequest({ sampled: false });
    await (await fetch(`${service.url}/work`, { headers: probe.headers })).arrayBuffer();
    const [hop] = await waitForHops(redis, prefix, probe.runId, 1);
    expect(hop!.traceId).toBe(probe.traceId);
  });

  it('writes nothing at all for 1,000 ordinary requests', async () => {
    const before = await keysUnder(redis, prefix);
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${service.url}/work`)));
      for (const res of responses) expect(res.status).toBe(200);
      await Promise.all(responses.map((r) => r.arrayBuffer()));
    }
    await new Promise((r) => setTimeout(r, 600));
    expect(await keysUnder(redis, prefix)).toEqual(before);
  });
});
