// RELIABILITY.md §6.3, end to end: hosts of the voicemail demo run with their wall clock shifted
// (libfaketime, through the launcher's <SERVICE>_CLOCK_OFFSET), while their monotonic clock stays
// true, as on a host whose NTP is off. Verdicts must not change, and the skewed host must be
// flagged on the run, with the right sign.
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { ClockSkew } from '@hoptrace/oamserver';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import { probeDemo, warmUp, type JudgedRun } from '../support/demo-probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

/** The entry host (compared with the Oamserver's firing time) and the queue consumer. */
const SKEWED_HOSTS = ['gateway', 'notifier'] as const;

const OFFSETS = [
  { text: '+2s', ms: 2000 },
  { text: '-2s', ms: -2000 },
  { text: '+30s', ms: 30_000 },
  { text: '-30s', ms: -30_000 },
];

// A suite that skips when its tool is missing would hide that nothing was tested.
function requireFaketime(): void {
  if (spawnSync('faketime', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error(
      'the clock-skew tests need faketime (libfaketime) to shift a service’s clock: ' +
        'sudo apt-get install faketime (.ci/run installs it)',
    );
  }
}

function flagged(view: JudgedRun): ClockSkew[] {
  // The run view repeats the facts' list at its top level when something is flagged.
  expect(view.clockSkew ?? []).toEqual(view.facts.clockSkew);
  return view.facts.clockSkew;
}

/** Starts a demo (services only) with `clock` offsets, warmed up; stopped and cleaned after the block. */
function demoWith(label: string, clock: Record<string, string>): () => RunningDemo {
  const prefix = uniquePrefix(label);
  let redis: Redis;
  let demo: RunningDemo;
  beforeAll(async () => {
    requireFaketime();
    redis = testRedis();
    demo = await startDemo(prefix, { env: clock, mode: 'probe-only' });
    // Two runs: the first through freshly started services can overrun the recorder's budget.
    await warmUp(demo, 'deposit-voicemail', 2);
  }, 120_000);
  afterAll(async () => {
    await demo?.stop();
    if (!redis) return; // faketime was missing: nothing was started
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }, 30_000);
  return () => demo;
}

describe('clock skew on the voicemail demo', () => {
  describe('no host skewed (control)', () => {
    const demo = demoWith('skew-none', {});

    it('deposit-voicemail is ok and no clock is flagged', async () => {
      const { code, view } = await probeDemo(demo(), 'deposit-voicemail');
      expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
      expect(code).toBe(0);
      expect(flagged(view)).toEqual([]);
      expect(view.clockSkew).toBeUndefined();
    });
  });

  for (const offset of OFFSETS) {
    // One demo per offset, with both hosts skewed: each demo start costs seconds. Each host is
    // judged on its own, and no other host may be flagged.
    describe(`gateway and notifier ${offset.text}`, () => {
      const demo = demoWith(`skew${offset.text.replace('+', 'p').replace('-', 'm')}`, {
        GATEWAY_CLOCK_OFFSET: offset.text,
        NOTIFIER_CLOCK_OFFSET: offset.text,
      });

      afterEach(async () => {
        for (const url of demo().urls.recorder) await setFaults(url, undefined).catch(() => undefined);
      });

      it('the launcher shows the offsets in its table', () => {
        for (const host of SKEWED_HOSTS)
          expect(demo().output()).toMatch(new RegExp(`^ +${host} +${host}-1 +http:\\S+ +\\${offset.text}$`, 'm'));
        expect(demo().output()).toMatch(/^ +recorder +recorder-1 +http:\S+ +-$/m);
      });

      for (const host of SKEWED_HOSTS) {
        it(`${host} ${offset.text}: the verdict is still ok, and ${host} is flagged with the right sign`, async () => {
          const { code, view } = await probeDemo(demo(), 'deposit-voicemail');
          const skews = flagged(view);
          expect(view.verdict, `${JSON.stringify(view.fault)} ${JSON.stringify(skews)}`).toBe('ok');
          expect(code).toBe(0);
          expect(skews.map((s) => s.service).sort(), JSON.stringify(skews)).toEqual([...SKEWED_HOSTS].sort());
          const skew = skews.find((s) => s.service === host)!;
          expect(skew.instance).toBe(`${host}-1`);
          expect(Math.sign(skew.offsetMs), JSON.stringify(skew)).toBe(Math.sign(offset.ms));
          // The Oamserver sees a run only through its own clock and the hops' durations: it can
          // under-estimate an offset by about the run's length, never over-estimate it by much.
          if (Math.abs(offset.ms) >= 30_000) expect(Math.abs(skew.offsetMs - offset.ms)).toBeLessThanOrEqual(3000);
          else expect(Math.abs(skew.offsetMs)).toBeLessThanOrEqual(Math.abs(offset.ms) + 500);
        });
      }

      if (offset.text === '+30s') {
        it('a slow recorder is still slow at recorder while the notifier is +30s', async () => {
          await setFaults(demo().urls.recorder[0]!, { latencyMs: 400 });
          const { code, view } = await probeDemo(demo(), 'deposit-voicemail');
          expect(view.verdict, JSON.stringify(view.fault)).toBe('slow');
          expect(code).toBe(1);
          expect(view.fault).toMatchObject({ service: 'recorder', instance: 'recorder-1' });
          expect(view.fault!.reason).toMatch(/recorder took \S+, budget 200ms/);
          expect(flagged(view).find((s) => s.service === 'notifier')?.offsetMs).toBeGreaterThan(27_000);
        });
      }
    });
  }
});
