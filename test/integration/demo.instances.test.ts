// The demo with three instances of every service (`--instances 3`): probe runs are spread over the
// instances, and every hop names the instance that really handled it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startDemo, type DemoService, type RunningDemo } from '../support/demo';
import { probeDemo, warmUp, type JudgedRun } from '../support/demo-probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

const INSTANCES = 3;
const RUNS = 6;
const PATH = ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'] as const;

/** Synthetic notifications counted by each notifier instance (its own `GET /stats`), by instance id. */
async function syntheticNotifications(demo: RunningDemo): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [i, url] of demo.urls.notifier.entries()) {
    const stats = (await (await fetch(`${url}/stats`)).json()) as { notifications: { synthetic: number } };
    counts.set(`notifier-${i + 1}`, stats.notifications.synthetic);
  }
  return counts;
}

describe(`the voicemail demo with ${INSTANCES} instances of every service`, () => {
  const prefix = uniquePrefix('instances');
  let redis: Redis;
  let demo: RunningDemo;
  const runs: JudgedRun[] = [];
  const notifiedDuringRuns = new Map<string, number>();

  beforeAll(async () => {
    redis = testRedis();
    demo = await startDemo(prefix, { instances: INSTANCES });
    // One warm-up run per instance of the round robin, so the runs below meet warm services.
    await warmUp(demo, 'deposit-voicemail', INSTANCES);
    const before = await syntheticNotifications(demo);
    for (let i = 0; i < RUNS; i++) runs.push((await probeDemo(demo, 'deposit-voicemail')).view);
    const after = await syntheticNotifications(demo);
    for (const [instance, count] of after) notifiedDuringRuns.set(instance, count - before.get(instance)!);
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }, 30_000);

  it('the launcher started every instance', () => {
    for (const service of Object.keys(demo.urls) as DemoService[]) expect(demo.urls[service]).toHaveLength(INSTANCES);
  });

  it('every run passes through one instance of each service of its path, on its trace', () => {
    for (const run of runs) {
      const where = JSON.stringify(run.hops.map((h) => h.instance));
      expect(
        run.hops.map((h) => h.service),
        where,
      ).toEqual(PATH);
      expect(
        run.hops.every((h) => h.onTrace && h.status === 'ok'),
        where,
      ).toBe(true);
      for (const hop of run.hops) expect(hop.instance, where).toMatch(new RegExp(`^${hop.service}-[1-${INSTANCES}]$`));
      // Probes enter through the first gateway.
      expect(run.hops[0]!.instance).toBe('gateway-1');
    }
  });

  it('the gateway spreads the runs over every mailbox and recorder instance (round robin)', () => {
    for (const service of ['mailbox', 'recorder']) {
      const seen = new Set(runs.map((run) => run.hops.find((h) => h.service === service)!.instance));
      expect([...seen].sort()).toEqual(Array.from({ length: INSTANCES }, (_, i) => `${service}-${i + 1}`));
    }
  });

  it('the notifier instance a hop names is the one that handled the message', () => {
    // Each notifier instance counts the synthetic notifications it sent: the hops must agree.
    const claimed = new Map<string, number>();
    for (const run of runs) {
      const instance = run.hops.find((h) => h.service === 'notifier')!.instance;
      claimed.set(instance, (claimed.get(instance) ?? 0) + 1);
    }
    for (const [instance, count] of notifiedDuringRuns) expect(claimed.get(instance) ?? 0, instance).toBe(count);
  });
});
