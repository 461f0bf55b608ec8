import { WindowedHistogram, type Sample, type WindowSummary } from './windowed-histogram';

/** The windows statistics are kept over. */
export type StatsWindow = '1m' | '15m' | '1h';

/** Span and bucket size of each window: a fixed ring of buckets each. */
export const STATS_WINDOWS: Record<StatsWindow, { spanMs: number; bucketMs: number }> = {
  '1m': { spanMs: 60_000, bucketMs: 5_000 },
  '15m': { spanMs: 900_000, bucketMs: 60_000 },
  '1h': { spanMs: 3_600_000, bucketMs: 300_000 },
};

/** What a series is about: a probe, a service within it, or one instance of that service. */
export interface SeriesKey {
  probe: string;
  service?: string;
  instance?: string;
}

/** A series and its summary over one window. */
export interface SeriesSummary extends SeriesKey, WindowSummary {}

interface Series {
  key: SeriesKey;
  lastMs: number;
  windows: Partial<Record<StatsWindow, WindowedHistogram>>;
}

/**
 * A series' map key, cheaper than JSON. Unambiguous: a probe name has no NUL (PROBE_NAME_PATTERN),
 * the service is length-prefixed, and hop records have no empty service or instance.
 */
function id(key: SeriesKey): string {
  const service = key.service ?? '';
  return `${key.probe}\u0000${service.length}:${service}\u0000${key.instance ?? ''}`;
}

/**
 * A series recorded into is moved to the end of the map (the most recently used) at most once per
 * this much of its samples' time: eviction takes the map's first series, in constant time.
 */
const REFRESH_MS = 1000;

/** Default cap on series: config `limits.statsSeries` and `limits.baselineSeries` (docs/deployment.md, "Caps"). */
export const DEFAULT_MAX_SERIES = 20_000;

/**
 * Rolling statistics (count, faults, unknown, latency percentiles) per probe, service and
 * instance, over 1 minute, 15 minutes and 1 hour (or only the `windows` asked for). Bounded: at
 * most `maxSeries` series (the one updated longest ago is dropped first, within a second), each a fixed set of buckets.
 */
export class RollingStats {
  private readonly _series = new Map<string, Series>();
  /** The instance series of each probe's service (by `id` of the service series): instancesSeen() reads only these. */
  private readonly _instancesOf = new Map<string, Set<Series>>();

  constructor(
    private readonly _now: () => number = Date.now,
    private readonly _maxSeries = DEFAULT_MAX_SERIES,
    private readonly _windows: readonly StatsWindow[] = ['1m', '15m', '1h'],
  ) {}

  record(key: SeriesKey, sample: Sample): void {
    const k = id(key);
    let series = this._series.get(k);
    if (!series) {
      if (this._series.size >= this._maxSeries) this._evictLeastRecent();
      series = {
        key: { ...key },
        lastMs: sample.atMs,
        windows: Object.fromEntries(
          this._windows.map((w) => [w, new WindowedHistogram(STATS_WINDOWS[w].spanMs, STATS_WINDOWS[w].bucketMs)]),
        ),
      };
      this._series.set(k, series);
      if (key.instance !== undefined) this._instanceSet(key.probe, key.service, true)?.add(series);
    } else if (sample.atMs >= series.lastMs + REFRESH_MS) {
      this._series.delete(k);
      this._series.set(k, series);
    }
    series.lastMs = Math.max(series.lastMs, sample.atMs);
    for (const window of Object.values(series.windows)) window?.record(sample);
  }

  /** Every series with data in `window`, matching `filter`, with its summary. */
  summaries(window: StatsWindow, filter: (key: SeriesKey) => boolean = () => true): SeriesSummary[] {
    const now = this._now();
    const out: SeriesSummary[] = [];
    for (const series of this._series.values()) {
      if (!filter(series.key)) continue;
      const summary = series.windows[window]?.summary(now);
      if (summary && summary.count > 0) out.push({ ...series.key, ...summary });
    }
    return out;
  }

  /** One series' summary (zeros when it has none). */
  summary(key: SeriesKey, window: StatsWindow): WindowSummary {
    return this._series.get(id(key))?.windows[window]?.summary(this._now()) ?? { count: 0, faults: 0, unknown: 0 };
  }

  /** Instances of a probe's service with samples in `window` (a count only: no percentiles computed). */
  instancesSeen(probe: string, service: string, window: StatsWindow): number {
    const now = this._now();
    let count = 0;
    for (const series of this._instanceSet(probe, service, false) ?? []) {
      if ((series.windows[window]?.count(now) ?? 0) > 0) count++;
    }
    return count;
  }

  get size(): number {
    return this._series.size;
  }

  /** Drops the series recorded into longest ago (within REFRESH_MS): the map's first. */
  private _evictLeastRecent(): void {
    const first = this._series.entries().next();
    if (first.done) return;
    const [k, series] = first.value;
    this._series.delete(k);
    if (series.key.instance === undefined) return;
    const set = this._instanceSet(series.key.probe, series.key.service, false);
    set?.delete(series);
    if (set?.size === 0) this._instancesOf.delete(id({ probe: series.key.probe, service: series.key.service }));
  }

  private _instanceSet(probe: string, service: string | undefined, create: boolean): Set<Series> | undefined {
    const k = id({ probe, service });
    let set = this._instancesOf.get(k);
    if (!set && create) {
      set = new Set();
      this._instancesOf.set(k, set);
    }
    return set;
  }
}
