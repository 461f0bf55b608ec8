import { DEFAULT_BASELINE_RULE, type Baseline } from '../classifier/baseline-rule';
import { DEFAULT_MAX_SERIES, RollingStats, type SeriesKey } from './rolling-stats';

/**
 * Learns each hop's normal latency per probe, service and instance, from hops of healthy runs
 * only (a slow instance must not teach itself that slow is normal). Over a sliding hour, kept in
 * a RollingStats of its own; bounded to `maxSeries` series. An instance with too few samples
 * falls back to its service.
 */
export class BaselineStore {
  private readonly _stats: RollingStats;

  constructor(
    private readonly _now: () => number = Date.now,
    private readonly _maxSeries = DEFAULT_MAX_SERIES,
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
    // Merges the hour's 12 bucket histograms: a few microseconds (LogHistogram), so no cache.
    const summary = this._stats.summary(key, '1h');
    return summary.count === 0 || summary.p50Ms === undefined || summary.p90Ms === undefined
      ? undefined
      : { p50Ms: summary.p50Ms, p90Ms: summary.p90Ms, samples: summary.count };
  }
}
