import { DEFAULT_BASELINE_RULE, type Baseline } from '../classifier/baseline-rule';
import { RollingStats, type SeriesKey } from './rolling-stats';

/** How long a baseline read is reused. */
const CACHE_MS = 5000;

/**
 * Learns each hop's normal latency per probe, service and instance, from hops of healthy runs
 * only (a slow instance must not teach itself that slow is normal). Over a sliding hour, kept in
 * a RollingStats of its own; bounded to `maxSeries` series. An instance with too few samples
 * falls back to its service.
 */
export class BaselineStore {
  private readonly _stats: RollingStats;
  /**
   * Baselines read in the last CACHE_MS: a baseline is an hour's p90, so a few seconds' staleness
   * changes nothing, and reading one merges a dozen histograms (milliseconds per hop and run).
   */
  private readonly _cache = new Map<string, { atMs: number; baseline: Baseline | undefined }>();

  constructor(
    private readonly _now: () => number = Date.now,
    private readonly _maxSeries = 5000,
    private readonly _minSamples = DEFAULT_BASELINE_RULE.minSamples,
  ) {
    this._stats = new RollingStats(_now, _maxSeries, ['1h']);
  }

  record(probe: string, service: string, instance: string, latencyMs: number, atMs: number): void {
    this._stats.record({ probe, service, instance }, { atMs, outcome: 'ok', latencyMs });
    this._stats.record({ probe, service }, { atMs, outcome: 'ok', latencyMs });
  }

  /** The baseline of a hop at one instance, else of its service. */
  baseline(probe: string, service: string, instance: string): Baseline | undefined {
    const own = this._baseline({ probe, service, instance });
    if (own && own.samples >= this._minSamples) return own;
    return this._baseline({ probe, service });
  }

  private _baseline(key: SeriesKey): Baseline | undefined {
    const id = JSON.stringify([key.probe, key.service ?? null, key.instance ?? null]);
    const now = this._now();
    const cached = this._cache.get(id);
    if (cached && now - cached.atMs < CACHE_MS) return cached.baseline;
    const summary = this._stats.summary(key, '1h');
    const baseline =
      summary.count === 0 || summary.p50Ms === undefined || summary.p90Ms === undefined
        ? undefined
        : { p50Ms: summary.p50Ms, p90Ms: summary.p90Ms, samples: summary.count };
    // Bounded like the series: forget everything cached when it grows past twice their number.
    if (this._cache.size >= this._maxSeries * 2) this._cache.clear();
    this._cache.set(id, { atMs: now, baseline });
    return baseline;
  }
}
