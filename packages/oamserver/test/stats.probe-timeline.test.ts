import { describe, expect, it } from 'vitest';
import { windowStatsSchema, type SeriesPoint } from '@hoptrace/core/api';
import { ProbeTimeline, TIMELINE_WINDOWS } from '../src/stats/probe-timeline';
import { WindowedHistogram } from '../src/stats/windowed-histogram';
import { LOG_HISTOGRAM_RELATIVE_ERROR } from '../src/stats/log-histogram';

// Each probe's runs over the overview windows: the numbers and the 60-bucket chart. The clock
// is injected: no real time passes.

const PROBE = 'deposit-voicemail';
/** A bucket start of every window (a multiple of 1,440,000 ms), plus 7 s into it. */
const T0 = 1_736_939_520_000;
const NOW = T0 + 7_000;

/** HDR keeps two significant digits: a percentile is its value, or at most 1 % above. */
/** The timeline's percentiles are within the LogHistogram's relative error of the true value. */
function expectAbout(actual: number | undefined, expected: number): void {
  expect(actual).toBeGreaterThanOrEqual(expected * (1 - LOG_HISTOGRAM_RELATIVE_ERROR));
  expect(actual).toBeLessThanOrEqual(expected * (1 + LOG_HISTOGRAM_RELATIVE_ERROR));
}

function clock(startMs: number) {
  let now = startMs;
  return { now: () => now, set: (ms: number) => (now = ms) };
}

function pointAt(points: SeriesPoint[], startMs: number): SeriesPoint {
  const found = points.find((p) => p.startMs === startMs);
  if (!found) throw new Error(`no bucket at ${startMs}`);
  return found;
}

describe('ProbeTimeline', () => {
  it.each(Object.entries(TIMELINE_WINDOWS))(
    'the %s window is 60 buckets, oldest first, with no gaps, the newest holding now',
    (window, { spanMs, bucketMs }) => {
      expect(spanMs / bucketMs).toBe(60);
      const timeline = new ProbeTimeline([PROBE], () => NOW);
      const { series, stats } = timeline.window(PROBE, window as keyof typeof TIMELINE_WINDOWS);
      expect(series.bucketMs).toBe(bucketMs);
      expect(series.points).toHaveLength(60);
      const newest = Math.floor(NOW / bucketMs) * bucketMs;
      expect(series.points.map((p) => p.startMs)).toEqual(
        Array.from({ length: 60 }, (_, i) => newest - (59 - i) * bucketMs),
      );
      expect(series.points.every((p) => p.count === 0 && p.faults === 0 && p.unknown === 0)).toBe(true);
      expect(series.points.every((p) => p.p50Ms === undefined && p.p95Ms === undefined)).toBe(true);
      expect(stats).toEqual({ count: 0, faults: 0, unknown: 0 });
    },
  );

  it('counts runs, faults and unknown runs in the bucket of their firing time', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    // 15m window: 15 s buckets. Three in the newest bucket, two in the one 10 buckets back.
    timeline.record(PROBE, { atMs: T0, outcome: 'ok', latencyMs: 50 });
    timeline.record(PROBE, { atMs: T0 + 6_999, outcome: 'fault', latencyMs: 300 });
    timeline.record(PROBE, { atMs: T0 + 1, outcome: 'unknown' });
    timeline.record(PROBE, { atMs: T0 - 150_000, outcome: 'fault', latencyMs: 900 });
    timeline.record(PROBE, { atMs: T0 - 150_000 + 14_999, outcome: 'ok', latencyMs: 40 });
    const { series, stats } = timeline.window(PROBE, '15m');
    expect(pointAt(series.points, T0)).toMatchObject({ count: 3, faults: 1, unknown: 1 });
    expect(pointAt(series.points, T0 - 150_000)).toMatchObject({ count: 2, faults: 1, unknown: 0 });
    expect(series.points.filter((p) => p.count > 0)).toHaveLength(2);
    expect(series.points.reduce((n, p) => n + p.count, 0)).toBe(5);
    expect(stats).toMatchObject({ count: 5, faults: 2, unknown: 1 });
    // Judged: 4, of which 2 ok.
    expect(stats.okRatio).toBe(0.5);
  });

  it('gives each bucket its own p50 and p95', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    for (let ms = 1; ms <= 100; ms++) timeline.record(PROBE, { atMs: T0 + (ms % 7), outcome: 'ok', latencyMs: ms });
    for (let ms = 1; ms <= 20; ms++) {
      timeline.record(PROBE, { atMs: T0 - 15_000, outcome: 'ok', latencyMs: 1000 + ms * 10 });
    }
    const { points } = timeline.window(PROBE, '15m').series;
    const newest = pointAt(points, T0);
    expectAbout(newest.p50Ms, 50);
    expectAbout(newest.p95Ms, 95);
    const before = pointAt(points, T0 - 15_000);
    expectAbout(before.p50Ms, 1100);
    expectAbout(before.p95Ms, 1190);
    // A bucket with runs but no latency (unknown runs) has no percentiles.
    timeline.record(PROBE, { atMs: T0 - 30_000, outcome: 'unknown' });
    const noLatency = pointAt(timeline.window(PROBE, '15m').series.points, T0 - 30_000);
    expect(noLatency).toEqual({ startMs: T0 - 30_000, count: 1, faults: 0, unknown: 1 });
  });

  it('a new run in a bucket changes its percentiles after they were read', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    timeline.record(PROBE, { atMs: T0, outcome: 'ok', latencyMs: 10 });
    const first = pointAt(timeline.window(PROBE, '15m').series.points, T0);
    expectAbout(first.p50Ms, 10);
    expectAbout(first.p95Ms, 10);
    timeline.record(PROBE, { atMs: T0 + 1, outcome: 'fault', latencyMs: 1000 });
    const second = pointAt(timeline.window(PROBE, '15m').series.points, T0);
    expect(second.count).toBe(2);
    expectAbout(second.p50Ms, 10);
    expectAbout(second.p95Ms, 1000);
  });

  it('reading the chart twice gives the same percentiles', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    for (let ms = 1; ms <= 10; ms++) timeline.record(PROBE, { atMs: T0, outcome: 'ok', latencyMs: ms * 3 });
    expect(timeline.window(PROBE, '1h').series).toEqual(timeline.window(PROBE, '1h').series);
  });

  it('stats carry p50, p95, p99 and max over the window, and no p90 (not in the contract)', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    for (let ms = 1; ms <= 100; ms++) timeline.record(PROBE, { atMs: T0 - ms * 1000, outcome: 'ok', latencyMs: ms });
    const { stats } = timeline.window(PROBE, '15m');
    expect(stats.count).toBe(100);
    expectAbout(stats.p50Ms, 50);
    expectAbout(stats.p95Ms, 95);
    expectAbout(stats.p99Ms, 99);
    expectAbout(stats.maxMs, 100);
    expect(stats).not.toHaveProperty('p90Ms');
    expect(windowStatsSchema.strict().parse(stats)).toEqual(stats);
  });

  it('leaves out runs older than the window, in the chart and in the numbers', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    timeline.record(PROBE, { atMs: NOW, outcome: 'ok', latencyMs: 5 });
    // 16 minutes ago: outside 15m, inside 1h.
    timeline.record(PROBE, { atMs: NOW - 16 * 60_000, outcome: 'fault', latencyMs: 5000 });
    const short = timeline.window(PROBE, '15m');
    expect(short.stats).toMatchObject({ count: 1, faults: 0 });
    expect(short.series.points.reduce((n, p) => n + p.count, 0)).toBe(1);
    expect(short.stats.maxMs).toBe(5);
    const hour = timeline.window(PROBE, '1h');
    expect(hour.stats).toMatchObject({ count: 2, faults: 1 });
    expect(hour.series.points.reduce((n, p) => n + p.count, 0)).toBe(2);
  });

  it('the numbers count exactly the runs the chart shows, also a run in the bucket just before the chart', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    const { bucketMs } = TIMELINE_WINDOWS['15m'];
    const oldestOnChart = Math.floor(NOW / bucketMs) * bucketMs - 59 * bucketMs;
    // Inside the 15 minutes before now, but in the bucket before the chart's first one.
    timeline.record(PROBE, { atMs: oldestOnChart - 1, outcome: 'fault', latencyMs: 900 });
    timeline.record(PROBE, { atMs: oldestOnChart, outcome: 'ok', latencyMs: 10 });
    const { stats, series } = timeline.window(PROBE, '15m');
    expect(series.points.reduce((n, p) => n + p.count, 0)).toBe(1);
    expect(stats).toMatchObject({ count: 1, faults: 0, maxMs: 10 });
  });

  it('a run that arrives late for a bucket that newer runs have reused is ignored, not mixed into theirs', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    timeline.record(PROBE, { atMs: T0, outcome: 'ok', latencyMs: 5 });
    // 61 buckets of 15 s before T0: the 15m ring's slot of T0's bucket.
    timeline.record(PROBE, { atMs: T0 - 61 * 15_000, outcome: 'fault', latencyMs: 9000 });
    const newest = pointAt(timeline.window(PROBE, '15m').series.points, T0);
    expect(newest).toMatchObject({ count: 1, faults: 0 });
    expectAbout(newest.p95Ms, 5);
    expect(timeline.window(PROBE, '15m').stats).toMatchObject({ count: 1, faults: 0 });
    // Within the hour: there it counts.
    expect(timeline.window(PROBE, '1h').stats).toMatchObject({ count: 2, faults: 1 });
  });

  it('runs slide out of the window as the clock moves on', () => {
    const c = clock(NOW);
    const timeline = new ProbeTimeline([PROBE], c.now);
    timeline.record(PROBE, { atMs: T0, outcome: 'fault', latencyMs: 20 });
    expect(timeline.window(PROBE, '15m').stats.count).toBe(1);
    // 59 buckets later T0's bucket is the oldest of the chart.
    c.set(T0 + 59 * 15_000);
    expect(timeline.window(PROBE, '15m').series.points[0]).toMatchObject({ startMs: T0, count: 1, faults: 1 });
    // One more bucket: gone from the chart and the numbers.
    c.set(T0 + 61 * 15_000);
    const later = timeline.window(PROBE, '15m');
    expect(later.series.points.every((p) => p.count === 0)).toBe(true);
    expect(later.stats).toEqual({ count: 0, faults: 0, unknown: 0 });
    // Still in the hour.
    expect(timeline.window(PROBE, '1h').stats.count).toBe(1);
    // A newer run reuses the ring slot, and the old bucket's numbers do not leak into it.
    timeline.record(PROBE, { atMs: T0 + 61 * 15_000, outcome: 'ok', latencyMs: 7 });
    const reused = timeline.window(PROBE, '15m');
    expect(reused.series.points.at(-1)).toMatchObject({ startMs: T0 + 61 * 15_000, count: 1, faults: 0 });
    expectAbout(reused.series.points.at(-1)!.p95Ms, 7);
  });

  it('ignores runs of probes not in the config, and answers zeros and no points for them', () => {
    const timeline = new ProbeTimeline([PROBE], () => NOW);
    timeline.record('not-configured', { atMs: NOW, outcome: 'fault', latencyMs: 10 });
    expect(timeline.window('not-configured', '15m')).toEqual({
      stats: { count: 0, faults: 0, unknown: 0 },
      series: { bucketMs: 15_000, points: [] },
    });
    expect(timeline.window(PROBE, '15m').stats.count).toBe(0);
  });

  it('keeps probes apart', () => {
    const timeline = new ProbeTimeline([PROBE, 'retrieve-voicemail'], () => NOW);
    timeline.record(PROBE, { atMs: NOW, outcome: 'fault', latencyMs: 10 });
    expect(timeline.window('retrieve-voicemail', '24h').stats.count).toBe(0);
    expect(timeline.window(PROBE, '24h').stats).toMatchObject({ count: 1, faults: 1 });
  });
});

describe('WindowedHistogram.buckets', () => {
  it('a window of 4 buckets of 10 ms lists exactly 4, empty ones included', () => {
    const histogram = new WindowedHistogram(40, 10);
    histogram.record({ atMs: 1_000, outcome: 'ok', latencyMs: 1 });
    histogram.record({ atMs: 1_025, outcome: 'fault', latencyMs: 2 });
    const buckets = histogram.buckets(1_031);
    expect(buckets.map((b) => [b.startMs, b.count, b.faults])).toEqual([
      [1_000, 1, 0],
      [1_010, 0, 0],
      [1_020, 1, 1],
      [1_030, 0, 0],
    ]);
  });

  it('a sample stamped after now is not on the chart yet', () => {
    const histogram = new WindowedHistogram(40, 10);
    histogram.record({ atMs: 1_050, outcome: 'ok', latencyMs: 1 });
    expect(histogram.buckets(1_031).reduce((n, b) => n + b.count, 0)).toBe(0);
  });

  it('ignores a latency that is not a finite number, but counts the run', () => {
    const histogram = new WindowedHistogram(40, 10);
    histogram.record({ atMs: 1_000, outcome: 'ok', latencyMs: Number.NaN });
    histogram.record({ atMs: 1_000, outcome: 'ok', latencyMs: Number.POSITIVE_INFINITY });
    expect(histogram.buckets(1_000).at(-1)).toEqual({ startMs: 1_000, count: 2, faults: 0, unknown: 0 });
  });
});
