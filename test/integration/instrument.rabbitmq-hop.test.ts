import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { publisherProbesConfig } from '../support/broker-probes';
import { probeOnce, writeConfig } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Deletes the test's queues (a queue nobody consumes keeps its messages). */
async function deleteQueues(names: string[]): Promise<void> {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const name of names) await channel.deleteQueue(name);
  } finally {
    await connection.close();
  }
}

const probeWith = async (config: string, name: string) => (await probeOnce(config, name)).view;

// A hop over RabbitMQ with no code change in the services (amqplib as they use it):
//   publisher (Express 5, ES module, amqplib promise API) --sendToQueue--> queue
//     --> consumer (Express 4, CommonJS, amqplib callback API) --http.get--> tail (Express 5)
// on the real RabbitMQ at 127.0.0.1:5672, judged by `hoptrace probe`, in both drop-in modes.
describe.each(['probe-only', 'full'] as const)('a hop over RabbitMQ (services %s)', (mode) => {
  const prefix = uniquePrefix(`amqp-${mode}`);
  const queue = (name: string) => `hoptrace-test-${mode}-${name}-${randomBytes(3).toString('hex')}`;
  const queues = { ok: queue('ok'), slow: queue('slow'), failing: queue('failing'), nobody: queue('nobody') };
  let redis: Redis;
  let config: string;
  const services: RunningService[] = [];

  beforeAll(async () => {
    redis = testRedis();
    const env = { HOPTRACE_KEY_PREFIX: prefix, HOPTRACE_MODE: mode };
    const tail = await startService('express5-esm', { name: 'tail', env });
    const consumer = (name: string, queueName: string, extra: Record<string, string> = {}) =>
      startService('express4-cjs', {
        name: 'consumer',
        env: { ...env, AMQP_CONSUME: queueName, NEXT_URL: `${tail.url}/work`, ...extra },
      });
    const started = await Promise.all([
      consumer('ok', queues.ok),
      consumer('slow', queues.slow, { DELAY_MS: '400' }),
      consumer('failing', queues.failing, { NEXT_URL: `${tail.url}/fail` }),
      startService('express5-esm', { name: 'publisher', env: { ...env, AMQP_PUBLISH: queues.ok } }),
    ]);
    services.push(tail, ...started);
    config = publisherProbesConfig(prefix, started[3].url, [
      { name: 'ok', query: `queue=${queues.ok}` },
      { name: 'slow', query: `queue=${queues.slow}`, consumerBudget: '200ms' },
      { name: 'failing', query: `queue=${queues.failing}` },
      { name: 'nobody-consumes', query: `queue=${queues.nobody}` },
      { name: 'stripped', query: `queue=${queues.ok}&drop=1` },
    ]);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await deleteQueues(Object.values(queues));
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  const probe = (name: string) => probeWith(config, name);

  it('ok: the consumer is a hop after the publisher, with its queue wait, and calls on', async () => {
    const view = await probe('ok');
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(view.hops.map((h) => h.service)).toEqual(['publisher', 'consumer', 'tail']);
    const consumer = view.hops[1]!;
    expect(consumer.operation).toBe(`process ${queues.ok}`);
    expect(consumer.kind).toBe('consumer');
    expect(consumer.queueWaitMs).toBeGreaterThanOrEqual(0);
  });

  it('slow at the consumer, when it takes longer than its budget', async () => {
    const view = await probe('slow');
    expect(view.verdict).toBe('slow');
    expect(view.fault?.service).toBe('consumer');
  });

  it('error: the call after the queue failed, and the consumer refused the message', async () => {
    const view = await probe('failing');
    expect(view.verdict).toBe('error');
    expect(view.fault?.service).toBe('tail');
    const consumer = view.hops.find((h) => h.service === 'consumer')!;
    expect(consumer.status).toBe('error');
    expect(consumer.errorMessage).toBe('the consumer refused the message (nack; dropped or dead-lettered)');
  });

  it('lost at the consumer when nobody consumes the queue', async () => {
    const view = await probe('nobody-consumes');
    expect(view.verdict).toBe('lost');
    expect(view.fault?.service).toBe('consumer');
  });

  it('context-broken when the publisher replaced the trace headers, not lost', async () => {
    const view = await probe('stripped');
    expect(view.verdict).toBe('context-broken');
    expect(view.fault?.service).toBe('consumer');
  });
});

// The other way round: a CommonJS publisher (amqplib's promise API) and an ES-module consumer.
describe.each(['probe-only', 'full'] as const)('a hop over RabbitMQ, CommonJS to ES module (services %s)', (mode) => {
  const prefix = uniquePrefix(`amqp-cjs-${mode}`);
  const queueName = `hoptrace-test-${mode}-cjs-${randomBytes(3).toString('hex')}`;
  let redis: Redis;
  let config: string;
  const services: RunningService[] = [];

  beforeAll(async () => {
    redis = testRedis();
    const env = { HOPTRACE_KEY_PREFIX: prefix, HOPTRACE_MODE: mode };
    const tail = await startService('express4-cjs', { name: 'tail', env });
    services.push(
      tail,
      await startService('express5-esm', {
        name: 'consumer',
        env: { ...env, AMQP_CONSUME: queueName, NEXT_URL: `${tail.url}/work` },
      }),
    );
    const publisher = await startService('express4-cjs', {
      name: 'publisher',
      env: { ...env, AMQP_PUBLISH: queueName },
    });
    services.push(publisher);
    config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: ok
    timeout: 3s
    trigger: { http: { url: "${publisher.url}/work" } }
    path: [publisher, consumer, tail]
`);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await deleteQueues([queueName]);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('ok, with the consumer hop and its queue wait', async () => {
    const view = await probeWith(config, 'ok');
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(view.hops.map((h) => `${h.service} ${h.operation}`)).toEqual([
      'publisher GET /work',
      `consumer process ${queueName}`,
      'tail GET /work',
    ]);
    expect(view.hops[1]!.queueWaitMs).toBeGreaterThanOrEqual(0);
  });
});
