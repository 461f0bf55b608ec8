import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { publisherProbesConfig } from '../support/broker-probes';
import { probeOnce } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';

// A hop over NATS with no code change in the services (nats.js as they use it):
//   publisher (Express 5, ES module) --publish--> subject
//     --> consumer (Express 4, CommonJS, callback subscription) --http.get--> tail (Express 5)
// and an ES-module consumer whose callback fails, on the real NATS at 127.0.0.1:4222, judged by
// `hoptrace probe`, in both drop-in modes.
describe.each(['probe-only', 'full'] as const)('a hop over NATS (services %s)', (mode) => {
  const prefix = uniquePrefix(`nats-${mode}`);
  const subject = (name: string) => `hoptrace.test.${mode}.${name}.${randomBytes(3).toString('hex')}`;
  const subjects = { ok: subject('ok'), slow: subject('slow'), failing: subject('failing'), nobody: subject('nobody') };
  let redis: Redis;
  let config: string;
  const services: RunningService[] = [];

  beforeAll(async () => {
    redis = testRedis();
    const env = { HOPTRACE_KEY_PREFIX: prefix, HOPTRACE_MODE: mode };
    const tail = await startService('express5-esm', { name: 'tail', env });
    const started = await Promise.all([
      startService('express4-cjs', {
        name: 'consumer',
        env: { ...env, NATS_CONSUME: subjects.ok, NEXT_URL: `${tail.url}/work` },
      }),
      startService('express4-cjs', {
        name: 'consumer',
        env: { ...env, NATS_CONSUME: subjects.slow, NEXT_URL: `${tail.url}/work`, DELAY_MS: '400' },
      }),
      startService('express5-esm', {
        name: 'consumer',
        env: { ...env, NATS_CONSUME: subjects.failing, NATS_FAIL: '1' },
      }),
      startService('express5-esm', { name: 'publisher', env: { ...env, NATS_PUBLISH: subjects.ok } }),
    ]);
    services.push(tail, ...started);
    config = publisherProbesConfig(prefix, started[3].url, [
      { name: 'ok', query: `subject=${subjects.ok}` },
      { name: 'slow', query: `subject=${subjects.slow}`, consumerBudget: '200ms' },
      { name: 'failing', query: `subject=${subjects.failing}` },
      { name: 'nobody-subscribes', query: `subject=${subjects.nobody}` },
      { name: 'stripped', query: `subject=${subjects.ok}&drop=1` },
    ]);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  const probe = async (name: string) => (await probeOnce(config, name)).view;

  it('ok: the subscriber is a hop after the publisher, with its queue wait, and calls on', async () => {
    const view = await probe('ok');
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(view.hops.map((h) => `${h.service} ${h.operation}`)).toEqual([
      'publisher GET /work',
      `consumer process ${subjects.ok}`,
      'tail GET /work',
    ]);
    expect(view.hops[1]!.kind).toBe('consumer');
    expect(view.hops[1]!.queueWaitMs).toBeGreaterThanOrEqual(0);
  });

  it('slow at the consumer, when it takes longer than its budget', async () => {
    const view = await probe('slow');
    expect(view.verdict).toBe('slow');
    expect(view.fault?.service).toBe('consumer');
  });

  it('error at the consumer when its callback fails', async () => {
    const view = await probe('failing');
    expect(view.verdict).toBe('error');
    expect(view.fault?.service).toBe('consumer');
    expect(view.fault?.reason).toContain('the consumer could not process the message');
  });

  it('lost at the consumer when nobody subscribes', async () => {
    const view = await probe('nobody-subscribes');
    expect(view.verdict).toBe('lost');
    expect(view.fault?.service).toBe('consumer');
  });

  it('context-broken when the publisher replaced the trace headers, not lost', async () => {
    const view = await probe('stripped');
    expect(view.verdict).toBe('context-broken');
    expect(view.fault?.service).toBe('consumer');
  });
});
