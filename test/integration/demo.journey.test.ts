import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { setFaults, startDemo, type DemoOptions, type RunningDemo } from '../support/demo';
import { warmUp } from '../support/demo-probe';
import { probeOnce, type ProbedRun } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

// The demo's journey probe (demo/probes.yaml, `voicemail-journey`) on the real voicemail
// platform: leave a message, wait until the subscriber is notified (polled), listen, and delete
// it (a cleanup step). Each run goes through `hoptrace probe --json`; the journey's synthetic
// data is checked in Redis, in the demo's synthetic key space (demo/services/lib/key-space.js).

const JOURNEY = 'voicemail-journey';
/** The synthetic mailbox the journey leaves its message in. */
const NUMBER = '4155550111';
const STEPS = [
  { name: 'leave-message', path: ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'] },
  { name: 'notified', path: ['gateway', 'notifier'] },
  { name: 'listen', path: ['gateway', 'mailbox', 'retrieval', 'storage'] },
  { name: 'delete', path: ['gateway', 'mailbox', 'retrieval', 'storage'] },
] as const;

type Journey = ProbedRun & { steps: NonNullable<ProbedRun['steps']> };

/** One demo for a describe block: started before its tests, healed after each, stopped after all. */
function useDemo(label: string, options: DemoOptions = {}) {
  const prefix = uniquePrefix(label);
  const state = {} as { redis: Redis; demo: RunningDemo };

  beforeAll(async () => {
    state.redis = testRedis();
    state.demo = await startDemo(prefix, options);
    // A freshly started Node service is slow on its first requests: the budgets below are about
    // a platform in its steady state.
    await warmUp(state.demo, JOURNEY, 3);
  }, 120_000);

  afterEach(async () => {
    for (const instances of Object.values(state.demo.urls)) {
      for (const url of instances) await setFaults(url, undefined).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await state.demo?.stop();
    await deleteKeysUnder(state.redis, prefix);
    state.redis?.disconnect();
  }, 30_000);

  return {
    prefix,
    get demo() {
      return state.demo;
    },
    get redis() {
      return state.redis;
    },
    /** One run of the journey, as `hoptrace probe --json` prints it. */
    async journey(): Promise<{ code: number | null; view: Journey }> {
      const { code, view } = await probeOnce(state.demo.configFile, JOURNEY);
      expect(view.steps, JSON.stringify(view)).toBeDefined();
      return { code, view: view as Journey };
    },
    /** Ids of the messages in the journey's synthetic mailbox, read from Redis (storage's list). */
    async mailbox(): Promise<string[]> {
      const stored = await state.redis.lrange(`${prefix}vm:synthetic:mailbox:${NUMBER}:messages`, 0, -1);
      return stored.map((raw) => (JSON.parse(raw) as { id: string }).id);
    },
  };
}

/** The message id the leave-message step captured. */
function capturedMessageId(view: Journey): string {
  const id = view.steps[0]!.trigger?.captured?.messageId;
  expect(typeof id, JSON.stringify(view.steps[0])).toBe('string');
  return id as string;
}

/** The services of a step's hops (those of its judged attempt, or of its earlier attempts), sorted. */
function servicesOf(view: Journey, step: string, earlier = false): string[] {
  return view.hops
    .filter((h) => h.step === step && Boolean(h.earlierAttempt) === earlier)
    .map((h) => h.service)
    .sort();
}

/** The cleanup step ran: it was fired (not skipped) and judged. */
function expectCleanupRan(view: Journey): void {
  const cleanup = view.steps[3]!;
  expect(cleanup).toMatchObject({ name: 'delete', cleanup: true });
  expect(cleanup.skipped, JSON.stringify(cleanup)).toBeUndefined();
  expect(cleanup.trigger).toBeDefined();
  expect(cleanup.verdict).toBeDefined();
  expect(servicesOf(view, 'delete').length).toBeGreaterThan(0);
}

describe('the voicemail journey on the demo', () => {
  const ctx = useDemo('journey');

  it('a healthy platform: ok, the four steps ok in order with their hops, and the message deleted', async () => {
    const { code, view } = await ctx.journey();
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(code).toBe(0);
    expect(view.fault).toBeUndefined();
    expect(view.steps.map((s) => s.name)).toEqual(STEPS.map((s) => s.name));
    for (const [index, step] of STEPS.entries()) {
      const judged = view.steps[index]!;
      expect(judged, JSON.stringify(judged)).toMatchObject({ name: step.name, path: [...step.path], verdict: 'ok' });
      expect(judged.skipped).toBeUndefined();
      expect(judged.trigger?.ok).toBe(true);
      // Every service of the step's path reported a hop of the step's (last) attempt.
      expect(servicesOf(view, step.name)).toEqual([...step.path].sort());
    }
    expect(view.steps[3]!.cleanup).toBe(true);
    // Every hop is given to a step, and the hops come step by step, in the steps' order.
    const order = view.hops.map((h) => STEPS.findIndex((s) => s.name === h.step));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(view.hops.every((h) => h.onTrace && h.status === 'ok')).toBe(true);

    // The captured id went into the later steps: listen found it (expectBody contains it) and the
    // cleanup deleted it from the synthetic mailbox.
    const messageId = capturedMessageId(view);
    expect(messageId).toMatch(/^msg-/);
    expect(view.steps[3]!.trigger?.status).toBe(200);
    expect(await ctx.mailbox()).not.toContain(messageId);
  });

  it('the notifier failing: error at the notifier in step leave-message; listen skipped, the message still deleted', async () => {
    await setFaults(ctx.demo.urls.notifier[0]!, { errorRate: 1 });
    const { code, view } = await ctx.journey();
    // The deposited event reached the notifier, which failed on it: the first step that is not
    // ok is leave-message (the notifier is the last service of its path).
    expect(view.verdict, JSON.stringify(view.fault)).toBe('error');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ step: 'leave-message', service: 'notifier', instance: 'notifier-1' });
    expect(view.fault!.reason).toMatch(/^step leave-message: /);
    const [leave, notified, listen] = view.steps;
    expect(leave).toMatchObject({ verdict: 'error', fault: { step: 'leave-message', service: 'notifier' } });
    expect(leave!.trigger?.ok).toBe(true);
    // The notification never comes: the notified step polls until its 3 s are up, then fails.
    expect(notified).toMatchObject({ verdict: 'error', fault: { step: 'notified', service: 'notifier' } });
    expect(notified!.trigger?.ok).toBe(false);
    expect(notified!.attempts).toBeGreaterThan(1);
    expect(servicesOf(view, 'notified', true).length).toBeGreaterThan(0);
    // Its trigger failed: the steps after it are skipped, except the cleanup.
    expect(listen!.verdict).toBeUndefined();
    expect(listen!.skipped).toMatch(/step notified failed before it/);
    expect(servicesOf(view, 'listen')).toEqual([]);
    expectCleanupRan(view);
    expect(view.steps[3]).toMatchObject({ verdict: 'ok', trigger: { ok: true, status: 200 } });
    expect(await ctx.mailbox()).not.toContain(capturedMessageId(view));
  });

  it('retrieval failing: error at retrieval in step listen; the cleanup runs but cannot delete through retrieval', async () => {
    await setFaults(ctx.demo.urls.retrieval[0]!, { errorRate: 1 });
    const { code, view } = await ctx.journey();
    expect(view.verdict, JSON.stringify(view.fault)).toBe('error');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ step: 'listen', service: 'retrieval', instance: 'retrieval-1' });
    expect(view.fault!.reason).toMatch(/^step listen: .*HTTP 500/);
    expect(view.steps.slice(0, 2).map((s) => s.verdict)).toEqual(['ok', 'ok']);
    expect(view.steps[2]).toMatchObject({ verdict: 'error', trigger: { ok: false, status: 502 } });
    // The cleanup still ran (a failed step does not skip it), through the same failing retrieval.
    expectCleanupRan(view);
    expect(view.steps[3]).toMatchObject({
      verdict: 'error',
      fault: { step: 'delete', service: 'retrieval' },
      trigger: { ok: false, status: 502 },
    });
    // So the synthetic message is still there (its path is broken): the next healthy run's cleanup
    // does not delete it either; it expires with the synthetic mailbox.
    expect(await ctx.mailbox()).toContain(capturedMessageId(view));
  });

  it('retrieval slow: slow at retrieval in step listen (budget 500 ms); the cleanup deletes the message', async () => {
    await setFaults(ctx.demo.urls.retrieval[0]!, { latencyMs: 700 });
    const { code, view } = await ctx.journey();
    expect(view.verdict, JSON.stringify(view.fault)).toBe('slow');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ step: 'listen', service: 'retrieval', instance: 'retrieval-1' });
    expect(view.fault!.reason).toMatch(/^step listen: the step took \S+, budget 500ms/);
    expect(view.steps.slice(0, 3).map((s) => s.verdict)).toEqual(['ok', 'ok', 'slow']);
    // Slow is not failed: listen's trigger answered as expected, so nothing was skipped.
    expect(view.steps[2]!.trigger?.ok).toBe(true);
    expect(view.steps.every((s) => s.skipped === undefined)).toBe(true);
    expectCleanupRan(view);
    expect(view.steps[3]!.trigger).toMatchObject({ ok: true, status: 200 });
    expect(await ctx.mailbox()).not.toContain(capturedMessageId(view));
  });
});

// Polling needs a notification that comes later than the first answer of the notifier's route.
// A notifier slowed with `latencyMs` is slow on that route too, so the first poll waits as long
// as the notification and finds it (one attempt). Here the notifier's consumer is slow on the
// journey's event only: the event is taken while the notifier has a latency fault, which is
// removed at once, and the gateway's own latency makes sure the first poll reaches the notifier
// after that. The Redis Stream transport, so that the test sees when the event was taken
// (XPENDING: read and not acknowledged yet).
describe('the voicemail journey polls for the notification (events on the Redis Stream)', () => {
  const ctx = useDemo('journey-poll', { env: { DEMO_EVENTS: 'redis' } });

  it('a late notification: notified needs several attempts, whose hops are kept as earlier attempts', async () => {
    expect(ctx.demo.output()).toMatch(/events: Redis Stream/);
    const stream = `${ctx.prefix}vm:events`;
    const pending = async () => Number(((await ctx.redis.xpending(stream, 'notifier')) as [number])[0]);
    await waitFor(async () => (await pending()) === 0, { what: 'the notifier to be done with earlier events' });

    await setFaults(ctx.demo.urls.gateway[0]!, { latencyMs: 400 });
    await setFaults(ctx.demo.urls.notifier[0]!, { latencyMs: 1200 });
    const running = ctx.journey();
    // The notifier took the journey's event (and, with it, the 1.2 s latency): heal its routes
    // before the first poll gets through the gateway.
    await waitFor(async () => (await pending()) > 0, {
      intervalMs: 5,
      what: "the notifier to take the journey's event",
    });
    await setFaults(ctx.demo.urls.notifier[0]!, undefined);
    // Notified (the event is acknowledged after the notification is written): the gateway may be
    // fast again for the listen step and its 500 ms budget.
    await waitFor(async () => (await pending()) === 0, { intervalMs: 5, what: 'the notification' });
    await setFaults(ctx.demo.urls.gateway[0]!, undefined);
    const { code, view } = await running;

    const notified = view.steps[1]!;
    expect(notified, JSON.stringify(notified)).toMatchObject({
      name: 'notified',
      verdict: 'ok',
      trigger: { ok: true },
    });
    expect(notified.attempts).toBeGreaterThan(1);
    // The last attempt is judged; the earlier ones (404: not notified yet) are kept, marked.
    expect(servicesOf(view, 'notified')).toEqual(['gateway', 'notifier']);
    const earlier = view.hops.filter((h) => h.earlierAttempt);
    expect(earlier.length).toBeGreaterThan(0);
    expect(earlier.every((h) => h.step === 'notified')).toBe(true);
    expect(earlier.filter((h) => h.service === 'notifier').every((h) => h.httpStatus === 404)).toBe(true);
    expect(earlier.filter((h) => h.service === 'notifier').length).toBe(notified.attempts! - 1);

    // The notifier's 1.2 s on the event is over leave-message's 800 ms budget: the journey is
    // slow, at the notifier, in that step; the others are ok.
    expect(view.verdict, JSON.stringify(view.fault)).toBe('slow');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ step: 'leave-message', service: 'notifier' });
    expect(view.fault!.reason).toMatch(/^step leave-message: .*budget 800ms/);
    expect(view.steps.map((s) => s.verdict)).toEqual(['slow', 'ok', 'ok', 'ok']);
    expectCleanupRan(view);
    expect(await ctx.mailbox()).not.toContain(capturedMessageId(view));
  });
});
