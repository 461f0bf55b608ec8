import { describe, expect, it } from 'vitest';
import { RollingStats } from '../src/stats/rolling-stats';
import { WindowedHistogram } from '../src/stats/windowed-histogram';

const T0 = 1_736_942_400_000; // a round minute, epoch ms

describe('WindowedHistogram', () => {
  it('counts samples, faults and unknowns, and the ok ratio of judged samples', () => {
    const window = new WindowedHistogram(60_000, 5000);
    window.record({ atMs: T0, outcome: 'ok', latencyMs: 10 });
    window.record({ atMs: T0 + 1000, outcome: 'ok', latencyMs: 12 });
    window.record({ atMs: T0 + 2000, outcome: 'fault', latencyMs: 900 });
    window.record({ atMs: T0 + 3000, outcome: 'unknown' });
    expect(window.summary(T0 + 4000)).toMatchObject({ count: 4, faults: 1, unknown: 1, okRatio: 2 / 3 });
  });

  it('has no ok ratio and no percentiles when nothing was judged or timed', () => {
    const window = new WindowedHistogram(60_000, 5000);
    window.record({ atMs: T0, outcome: 'unknown' });
    expect(window.summary(T0)).toEqual({ count: 1, faults: 0, unknown: 1 });
  });

  it('gives percentiles to within the histogram’s precision', () => {
    const window = new WindowedHistogram(60_000, 5000);
    for (let ms = 1; ms <= 1000; ms++) window.record({ atMs: T0 + ms * 10, outcome: 'ok', latencyMs: ms });
    const summary = window.summary(T0 + 10_000);
    expect(summary.count).toBe(1000);
    expect(summary.p50Ms).toBeGreaterThan(495);
    expect(summary.p50Ms).toBeLessThan(505);
    expect(summary.p90Ms).toBeGreaterThan(891);
    expect(summary.p90Ms).toBeLessThan(909);
    expect(summary.p99Ms).toBeGreaterThan(980);
    expect(summary.p99Ms).toBeLessThan(1000);
    expect(summary.maxMs).toBeGreaterThan(995);
    expect(summary.maxMs).toBeLessThan(1010);
  });

  it('drops samples once they are older than the window', () => {
    const window = new WindowedHistogram(60_000, 5000);
    window.record({ atMs: T0, outcome: 'fault', latencyMs: 5000 });
    window.record({ atMs: T0 + 30_000, outcome: 'ok', latencyMs: 10 });
    expect(window.summary(T0 + 59_000)).toMatchObject({ count: 2, faults: 1 });
    const later = window.summary(T0 + 70_000);
    expect(later).toMatchObject({ count: 1, faults: 0, okRatio: 1 });
    expect(later.maxMs).toBeLessThan(11);
    expect(window.summary(T0 + 100_000)).toEqual({ count: 0, faults: 0, unknown: 0 });
  });

  it('reuses a ring slot for new time, and ignores a late sample for a slot already reused', () => {
    const window = new WindowedHistogram(60_000, 5000); // 13 slots of 5 s
    window.record({ atMs: T0 + 65_000, outcome: 'ok', latencyMs: 1 }); // the same slot as T0
    window.record({ atMs: T0, outcome: 'fault', latencyMs: 1 }); // too old: ignored
    expect(window.summary(T0 + 65_000)).toMatchObject({ count: 1, faults: 0 });
  });

  it('does not count samples from the future', () => {
    const window = new WindowedHistogram(60_000, 5000);
    window.record({ atMs: T0 + 20_000, outcome: 'ok' });
    expect(window.summary(T0).count).toBe(0);
  });
});

describe('RollingStats', () => {
  it('summarizes each window over its own span, with an injected clock', () => {
    let now = T0;
    const stats = new RollingStats(() => now);
    const probe = { probe: 'deposit-voicemail' };
    stats.record(probe, { atMs: T0, outcome: 'fault', latencyMs: 900 });
    stats.record(probe, { atMs: T0 + 100_000, outcome: 'ok', latencyMs: 50 });
    now = T0 + 110_000;
    expect(stats.summary(probe, '1m')).toMatchObject({ count: 1, faults: 0 });
    expect(stats.summary(probe, '15m')).toMatchObject({ count: 2, faults: 1, okRatio: 0.5 });
    expect(stats.summary(probe, '1h')).toMatchObject({ count: 2, faults: 1 });
    now = T0 + 2 * 3_600_000;
    expect(stats.summary(probe, '1h').count).toBe(0);
    expect(stats.summaries('1h')).toEqual([]);
  });

  it('keeps probe, service and instance series apart', () => {
    const stats = new RollingStats(() => T0);
    stats.record({ probe: 'p' }, { atMs: T0, outcome: 'ok' });
    stats.record({ probe: 'p', service: 'recorder' }, { atMs: T0, outcome: 'fault' });
    stats.record({ probe: 'p', service: 'recorder', instance: 'recorder-1' }, { atMs: T0, outcome: 'fault' });
    expect(stats.size).toBe(3);
    expect(stats.summary({ probe: 'p' }, '1m').faults).toBe(0);
    expect(stats.summary({ probe: 'p', service: 'recorder' }, '1m').faults).toBe(1);
    expect(stats.summaries('1m', (k) => k.instance !== undefined)).toEqual([
      expect.objectContaining({ probe: 'p', service: 'recorder', instance: 'recorder-1', faults: 1 }),
    ]);
    expect(stats.summary({ probe: 'other' }, '1m')).toEqual({ count: 0, faults: 0, unknown: 0 });
  });

  it('is bounded: a new series evicts the one updated least recently', () => {
    const stats = new RollingStats(() => T0 + 10_000, 2);
    stats.record({ probe: 'a' }, { atMs: T0 + 1000, outcome: 'ok' });
    stats.record({ probe: 'b' }, { atMs: T0 + 2000, outcome: 'ok' });
    stats.record({ probe: 'a' }, { atMs: T0 + 3000, outcome: 'ok' }); // a is now the fresher
    stats.record({ probe: 'c' }, { atMs: T0 + 4000, outcome: 'ok' });
    expect(stats.size).toBe(2);
    expect(stats.summary({ probe: 'b' }, '1m').count).toBe(0);
    expect(stats.summary({ probe: 'a' }, '1m').count).toBe(2);
    expect(stats.summary({ probe: 'c' }, '1m').count).toBe(1);
  });

  it("counts the instances of a probe's service seen in a window, and forgets evicted ones", () => {
    let now = T0;
    const stats = new RollingStats(() => now, 4);
    const hop = (probe: string, instance: string, atMs: number) =>
      stats.record({ probe, service: 'recorder', instance }, { atMs, outcome: 'ok', latencyMs: 5 });
    hop('p', 'recorder-1', T0);
    hop('p', 'recorder-2', T0);
    hop('q', 'recorder-3', T0);
    expect(stats.instancesSeen('p', 'recorder', '1m')).toBe(2);
    expect(stats.instancesSeen('q', 'recorder', '1m')).toBe(1);
    expect(stats.instancesSeen('p', 'storage', '1m')).toBe(0);
    // Past the cap of 4, the two series updated least recently (recorder-1, then recorder-2) go.
    hop('p', 'recorder-4', T0 + 2000);
    hop('p', 'recorder-5', T0 + 2000);
    hop('p', 'recorder-6', T0 + 2000);
    expect(stats.size).toBe(4);
    expect(stats.instancesSeen('p', 'recorder', '1m')).toBe(3);
    // Only instances with samples in the window count.
    now = T0 + 70_000;
    hop('p', 'recorder-7', T0 + 70_000); // evicts q's recorder-3
    expect(stats.instancesSeen('p', 'recorder', '1m')).toBe(1);
    expect(stats.instancesSeen('p', 'recorder', '15m')).toBe(4);
    expect(stats.instancesSeen('q', 'recorder', '15m')).toBe(0);
  });
});
