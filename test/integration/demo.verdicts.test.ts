import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunView } from '@hoptrace/oamserver';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import { runCli } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

type Judged = RunView & { fault: NonNullable<RunView['fault']>; facts: NonNullable<RunView['facts']> };

// The voicemail demo under the Oamserver (`hoptrace probe` on demo/probes.yaml), healthy and
// with faults injected the way an operator would meet them; every service probe-only, then a mix
// of full and probe-only services along each path (issue 10: the verdicts do not depend on it).
describe.each(['probe-only', 'mixed'] as const)('verdicts on the voicemail demo (--mode %s)', (mode) => {
  const prefix = uniquePrefix(`verdicts-${mode}`);
  let redis: Redis;
  let demo: RunningDemo;

  beforeAll(async () => {
    redis = testRedis();
    demo = await startDemo(prefix, { mode });
    // Warm up: the first request through a freshly started Node service is slow (module loading,
    // JIT), and a cold recorder can overrun its 200 ms budget. The verdicts below are about a
    // platform in its steady state.
    await Promise.all(
      ['deposit-voicemail', 'retrieve-voicemail', 'update-greeting'].map((name) =>
        runCli(['probe', name, '--config', demo.configFile, '--json']),
      ),
    );
  }, 120_000);

  afterEach(async () => {
    // Heal every instance.
    for (const instances of Object.values(demo.urls)) {
      for (const url of instances) await setFaults(url, undefined).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await demo?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }, 30_000);

  async function probe(name: string): Promise<{ code: number | null; view: Judged }> {
    const { code, stdout, stderr } = await runCli(['probe', name, '--config', demo.configFile, '--json']);
    try {
      return { code, view: JSON.parse(stdout) as Judged };
    } catch {
      throw new Error(`hoptrace probe ${name} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
    }
  }

  it('a healthy platform gives ok for all three probes', async () => {
    for (const [name, path] of [
      ['deposit-voicemail', ['gateway', 'mailbox', 'recorder', 'storage', 'notifier']],
      ['retrieve-voicemail', ['gateway', 'mailbox', 'retrieval', 'storage']],
      ['update-greeting', ['gateway', 'mailbox']],
    ] as const) {
      const { code, view } = await probe(name);
      expect(view.verdict, `${name}: ${JSON.stringify(view.fault)}`).toBe('ok');
      expect(code).toBe(0);
      expect(view.hops.map((h) => h.service)).toEqual(path);
      expect(view.hops.every((h) => h.onTrace && h.status === 'ok')).toBe(true);
    }
  });

  it('recorder latency above its budget gives slow at recorder', async () => {
    await setFaults(demo.urls.recorder[0]!, { latencyMs: 400 });
    const { code, view } = await probe('deposit-voicemail');
    expect(view.verdict).toBe('slow');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ service: 'recorder', instance: 'recorder-1' });
    expect(view.fault.reason).toMatch(/recorder took \S+, budget 200ms/);
  });

  it('storage answering 500 gives error at storage (not at its callers)', async () => {
    await setFaults(demo.urls.storage[0]!, { errorRate: 1 });
    const { code, view } = await probe('deposit-voicemail');
    expect(view.verdict).toBe('error');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ service: 'storage', instance: 'storage-1' });
    expect(view.fault.reason).toMatch(/HTTP 500/);
  });

  it('the trace context dropped on the queue hop gives context-broken at the notifier, not lost', async () => {
    await setFaults(demo.urls.storage[0]!, { dropContext: true });
    const { code, view } = await probe('deposit-voicemail');
    expect(view.verdict).toBe('context-broken');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ service: 'notifier', instance: 'notifier-1' });
    expect(view.fault.reason).toMatch(/lost between storage and notifier/);
  });
  // Last: the notifier stays down.
  it('notifier down gives lost: last hop reached storage, first missing notifier', async () => {
    // The notifier process exits (the launcher reports it and keeps the rest running).
    await setFaults(demo.urls.notifier[0]!, { crash: true });
    await waitFor(
      () =>
        fetch(`${demo.urls.notifier[0]!}/healthz`).then(
          () => false,
          () => true,
        ),
      {
        what: 'the notifier to be down',
      },
    );
    const { code, view } = await probe('deposit-voicemail');
    expect(view.verdict).toBe('lost');
    expect(code).toBe(1);
    expect(view.fault.service).toBe('notifier');
    expect(view.facts).toMatchObject({
      lastHopReached: 'storage',
      firstMissingHop: 'notifier',
      missingHops: ['notifier'],
    });
    expect(view.hops.map((h) => h.service)).toEqual(['gateway', 'mailbox', 'recorder', 'storage']);
  });
});
