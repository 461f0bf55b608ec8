import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import amqp from 'amqplib';
import { probeOnce, writeConfig } from '../support/oamserver';
import { freePort } from '../support/ports';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

// Runs that start at a broker: the Oamserver publishes the probe's message to a RabbitMQ queue
// or a NATS subject, a service consumes it (no hoptrace code) and calls on over HTTP.
describe('probe triggers that publish to a broker', () => {
  const prefix = uniquePrefix('broker-triggers');
  const queue = `hoptrace-test-trigger-${randomBytes(3).toString('hex')}`;
  const subject = `hoptrace.test.trigger.${randomBytes(3).toString('hex')}`;
  let redis: Redis;
  let config: string;
  const services: RunningService[] = [];

  beforeAll(async () => {
    redis = testRedis();
    const env = { HOPTRACE_KEY_PREFIX: prefix };
    const tail = await startService('express4-cjs', { name: 'tail', env });
    services.push(
      tail,
      await startService('express5-esm', {
        name: 'queue-consumer',
        env: { ...env, AMQP_CONSUME: queue, NEXT_URL: `${tail.url}/work` },
      }),
      await startService('express4-cjs', {
        name: 'subject-consumer',
        env: { ...env, NATS_CONSUME: subject, NEXT_URL: `${tail.url}/work` },
      }),
    );
    const closedPort = await freePort();
    config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: from-rabbitmq
    timeout: 3s
    trigger: { rabbitmq: { url: "${AMQP_URL}", routingKey: "${queue}", body: { kind: probe-test } } }
    path: [queue-consumer, tail]
  - name: from-nats
    timeout: 3s
    trigger: { nats: { servers: "${NATS_URL}", subject: "${subject}", body: hello } }
    path: [subject-consumer, tail]
  - name: to-no-queue
    timeout: 2s
    trigger: { rabbitmq: { url: "${AMQP_URL}", routingKey: "${queue}-nobody" } }
    path: [queue-consumer, tail]
  - name: rabbitmq-down
    timeout: 2s
    trigger: { rabbitmq: { url: "amqp://127.0.0.1:${closedPort}", routingKey: "${queue}" } }
    path: [queue-consumer, tail]
`);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    const connection = await amqp.connect(AMQP_URL);
    await (await connection.createChannel()).deleteQueue(queue);
    await connection.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  const probe = (name: string) => probeOnce(config, name);

  it('a RabbitMQ message: the consumer is the first hop, with its queue wait; ok', async () => {
    const { code, view } = await probe('from-rabbitmq');
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(code).toBe(0);
    expect(view.trigger).toMatchObject({ kind: 'rabbitmq', ok: true, delivered: true });
    expect(view.hops.map((h) => `${h.service} ${h.operation}`)).toEqual([
      `queue-consumer process ${queue}`,
      'tail GET /work',
    ]);
    expect(view.hops[0]!.queueWaitMs).toBeGreaterThanOrEqual(0);
  });

  it('a NATS message: the subscriber is the first hop; ok', async () => {
    const { view } = await probe('from-nats');
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(view.trigger).toMatchObject({ kind: 'nats', ok: true, delivered: true });
    expect(view.hops.map((h) => h.service)).toEqual(['subject-consumer', 'tail']);
  });

  it('a message no queue takes comes back: trigger-failed, saying so', async () => {
    const { code, view } = await probe('to-no-queue');
    expect(view.verdict).toBe('trigger-failed');
    expect(code).toBe(1);
    expect(view.trigger?.error).toContain(`no queue is bound to exchange "" with routing key "${queue}-nobody"`);
  });

  it('RabbitMQ unreachable: trigger-failed with the connection error', async () => {
    const { view } = await probe('rabbitmq-down');
    expect(view.verdict).toBe('trigger-failed');
    expect(view.trigger).toMatchObject({ kind: 'rabbitmq', delivered: false });
    expect(view.trigger?.error).toMatch(/^publish to RabbitMQ: .*ECONNREFUSED/);
  });
});
