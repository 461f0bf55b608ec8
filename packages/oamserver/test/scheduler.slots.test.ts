import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProbeDefinition } from '../src/config/probe-config-schema';
import { parseDuration } from '../src/config/duration';
import { Scheduler, phaseOf } from '../src/scheduler/scheduler';

/** A checked probe of one HTTP step, as the config gives it (the scheduler reads name, every and enabled). */
function probe(name: string, every = '10s', extra: Partial<ProbeDefinition> = {}): ProbeDefinition {
  const everyMs = parseDuration(every)!;
  const step = {
    name,
    trigger: { kind: 'http', options: { method: 'GET', url: 'http://127.0.0.1:7001/ping' } },
    path: ['gateway'],
    timeout: 5000,
    cleanup: false,
  };
  return {
    name,
    enabled: true,
    every: everyMs,
    timeout: 5000,
    journey: false,
    path: ['gateway'],
    steps: [step],
    ...extra,
  };
}

const T0 = 1_736_942_400_000;

describe('phaseOf', () => {
  it('is stable for a name and within [0, every)', () => {
    for (const name of ['deposit-voicemail', 'retrieve-voicemail', 'a', 'x'.repeat(64)]) {
      const phase = phaseOf(name, 10_000);
      expect(phase).toBe(phaseOf(name, 10_000));
      expect(Number.isInteger(phase)).toBe(true);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(10_000);
    }
  });

  it('spreads probes over the interval', () => {
    const phases = Array.from({ length: 50 }, (_, i) => phaseOf(`probe-${i}`, 10_000));
    expect(new Set(phases).size).toBeGreaterThan(45);
    // Both halves of the interval are used.
    expect(phases.filter((p) => p < 5000).length).toBeGreaterThan(10);
    expect(phases.filter((p) => p >= 5000).length).toBeGreaterThan(10);
  });
});

describe('Scheduler.nextSlot', () => {
  const scheduler = new Scheduler([], () => Promise.resolve());
  const p = probe('deposit-voicemail');
  const phase = phaseOf('deposit-voicemail', 10_000);

  it('is the first slot strictly after now, on the probe’s phase', () => {
    const { slot, atMs } = scheduler.nextSlot(p, T0);
    expect(atMs).toBeGreaterThan(T0);
    expect(atMs - T0).toBeLessThanOrEqual(10_000);
    expect((atMs - phase) % 10_000).toBe(0);
    expect(atMs).toBe(slot * 10_000 + phase);
  });

  it('advances by one slot and `every` ms each time, and agrees for any now within a slot', () => {
    const first = scheduler.nextSlot(p, T0);
    const second = scheduler.nextSlot(p, first.atMs);
    expect(second).toEqual({ slot: first.slot + 1, atMs: first.atMs + 10_000 });
    expect(scheduler.nextSlot(p, first.atMs - 1)).toEqual(first);
    expect(scheduler.nextSlot(p, first.atMs + 9_999)).toEqual(second);
  });
});

describe('Scheduler with fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires each enabled probe once per slot after start, on its slot, never in a burst', async () => {
    const probes = [probe('deposit-voicemail'), probe('retrieve-voicemail'), probe('update-greeting', '30s')];
    const disabled = probe('disabled-probe', '10s', { enabled: false });
    const fired: { name: string; slot: number; atMs: number }[] = [];
    const scheduler = new Scheduler(
      [...probes, disabled],
      (p, slot) => {
        fired.push({ name: p.name, slot, atMs: Date.now() });
        return Promise.resolve();
      },
      { random: () => 0 },
    );
    scheduler.start();
    expect(scheduler.running).toBe(true);
    expect(fired).toEqual([]); // nothing fires at start

    await vi.advanceTimersByTimeAsync(60_000);
    scheduler.stop();

    expect(fired.some((f) => f.name === 'disabled-probe')).toBe(false);
    for (const p of probes) {
      const mine = fired.filter((f) => f.name === p.name);
      const expected =
        Math.floor((T0 + 60_000 - phaseOf(p.name, p.every)) / p.every) -
        Math.floor((T0 - phaseOf(p.name, p.every)) / p.every);
      expect(mine).toHaveLength(expected);
      mine.forEach((f, i) => {
        expect(f.atMs).toBe(f.slot * p.every + phaseOf(p.name, p.every));
        if (i > 0) {
          expect(f.slot).toBe(mine[i - 1]!.slot + 1);
          expect(f.atMs - mine[i - 1]!.atMs).toBe(p.every);
        }
      });
    }
  });

  it('adds at most the jitter to a slot, capped at 500 ms', async () => {
    const p = probe('deposit-voicemail', '1h');
    const times: number[] = [];
    const scheduler = new Scheduler(
      [p],
      () => {
        times.push(Date.now());
        return Promise.resolve();
      },
      { random: () => 1 },
    );
    scheduler.start();
    const { atMs } = scheduler.nextSlot(p, T0);
    await vi.advanceTimersByTimeAsync(atMs - T0 + 499);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual([atMs + 500]);
    scheduler.stop();
  });

  it('a firing that fails does not stop the schedule', async () => {
    const p = probe('deposit-voicemail');
    const fire = vi.fn(() => Promise.reject(new Error('redis down')));
    const scheduler = new Scheduler([p], fire, { random: () => 0 });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(30_000);
    scheduler.stop();
    expect(fire.mock.calls.length).toBeGreaterThanOrEqual(3);
  });

  it('stop() cancels what was scheduled', async () => {
    const fire = vi.fn(() => Promise.resolve());
    const scheduler = new Scheduler([probe('deposit-voicemail')], fire, { random: () => 0 });
    scheduler.start();
    scheduler.stop();
    expect(scheduler.running).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fire).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
