import type { OverviewWindow, SeriesPoint, WindowStats } from '@hoptrace/core/api';
import { WindowedHistogram, type Sample } from './windowed-histogram';

/** Span and bucket size of each overview window: 60 buckets each, so every chart has the same density. */
export const TIMELINE_WINDOWS: Record<OverviewWindow, { spanMs: number; bucketMs: number }> = {
  '15m': { spanMs: 900_000, bucketMs: 15_000 },
  '1h': { spanMs: 3_600_000, bucketMs: 60_000 },
  '6h': { spanMs: 21_600_000, bucketMs: 360_000 },
  '24h': { spanMs: 86_400_000, bucketMs: 1_440_000 },
};

/** A probe over one window: its numbers and its chart. */
export interface ProbeWindow {
  stats: WindowStats;
  series: { bucketMs: number; points: SeriesPoint[] };
}

/**
 * Each configured probe's end-to-end runs over the overview windows (15 minutes to 24 hours):
 * counts, availability and latency percentiles, and a 60-bucket series for its chart. Bounded:
 * one fixed ring of buckets per probe and window, and only the probes of the config.
 */
export class ProbeTimeline {
  private readonly _probes = new Map<string, Record<OverviewWindow, WindowedHistogram>>();

  constructor(
    probes: readonly string[],
    private readonly _now: () => number = Date.now,
  ) {
    for (const probe of probes) {
      const windows = {} as Record<OverviewWindow, WindowedHistogram>;
      for (const [w, { spanMs, bucketMs }] of Object.entries(TIMELINE_WINDOWS)) {
        windows[w as OverviewWindow] = new WindowedHistogram(spanMs, bucketMs);
      }
      this._probes.set(probe, windows);
    }
  }

  /** Records one run of a probe (runs of probes not in the config are ignored). */
  record(probe: string, sample: Sample): void {
    const windows = this._probes.get(probe);
    if (!windows) return;
    for (const histogram of Object.values(windows)) histogram.record(sample);
  }

  /** A probe over a window; zeros for a probe not in the config. */
  window(probe: string, window: OverviewWindow): ProbeWindow {
    const { bucketMs } = TIMELINE_WINDOWS[window];
    const histogram = this._probes.get(probe)?.[window];
    if (!histogram) return { stats: { count: 0, faults: 0, unknown: 0 }, series: { bucketMs, points: [] } };
    const now = this._now();
    const { p90Ms: _p90, ...stats } = histogram.summary(now, { chartBuckets: true });
    return { stats, series: { bucketMs, points: histogram.buckets(now) } };
  }
}
