import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import amqp from 'amqplib';
import { startDemo, type RunningDemo } from '../support/demo';
import { waitForHops } from '../support/hops';
import { runCli } from '../support/oamserver';
import { freePort } from '../support/ports';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

// The demo's one queue hop (storage → notifier): through RabbitMQ when it answers, with no
// hoptrace code in either service; through a Redis Stream, saying so, when it does not (a fresh
// machine with only Redis). Either way the hop is judged like any other.
describe.each([
  { transport: 'RabbitMQ', env: {}, queue: (vm: string) => `${vm}deposited` },
  { transport: 'a Redis Stream', env: { AMQP_URL: 'closed' }, queue: (vm: string) => `${vm}events` },
])('the demo with its events through $transport', ({ transport, env, queue }) => {
  const prefix = uniquePrefix('demo-events');
  const vmPrefix = `${prefix}vm:`;
  let redis: Redis;
  let demo: RunningDemo;

  beforeAll(async () => {
    redis = testRedis();
    const launcherEnv: Record<string, string> =
      env.AMQP_URL === 'closed' ? { AMQP_URL: `amqp://127.0.0.1:${await freePort()}` } : {};
    demo = await startDemo(prefix, { env: launcherEnv });
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    if (transport === 'RabbitMQ') {
      const connection = await amqp.connect(AMQP_URL);
      await (await connection.createChannel()).deleteQueue(queue(vmPrefix));
      await connection.close();
    }
  }, 30_000);

  it('the launcher says which, and why', () => {
    if (transport === 'RabbitMQ')
      expect(demo.output()).toMatch(/events: RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672/);
    else expect(demo.output()).toMatch(/events: Redis Stream: RabbitMQ does not answer at amqp:\/\/127\.0\.0\.1:\d+/);
  });

  it('a deposit probe reaches the notifier over it, a consumer hop like any other, ok in hoptrace probe', async () => {
    const probe = probeRequest({ probe: 'deposit-voicemail' });
    const res = await fetch(`${demo.urls.gateway[0]!}/calls/4155550100/voicemail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...probe.headers },
      body: JSON.stringify({ caller: '4155550199' }),
    });
    expect(res.status).toBe(201);
    const hops = await waitForHops(redis, prefix, probe.runId, 5, 20_000);
    const notifier = hops.find((h) => h.service === 'notifier')!;
    expect(notifier).toMatchObject({ kind: 'consumer', operation: `process ${queue(vmPrefix)}`, status: 'ok' });
    expect(notifier.queueWaitUs).toBeGreaterThanOrEqual(0);
    const storage = hops.find((h) => h.service === 'storage')!;
    expect(storage.exits?.map((e) => e.spanId)).toContain(notifier.parentSpanId);

    const { stdout } = await runCli(['probe', 'deposit-voicemail', '--config', demo.configFile, '--json']);
    const view = JSON.parse(stdout) as { verdict: string; hops: { service: string; operation: string }[] };
    expect(view.verdict).toBe('ok');
    expect(view.hops.find((h) => h.service === 'notifier')?.operation).toBe(`process ${queue(vmPrefix)}`);
  });
});
