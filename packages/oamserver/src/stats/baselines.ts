import { DEFAULT_BASELINE_RULE, type Baseline } from '../classifier/baseline-rule';
import { WindowedHistogram } from './windowed-histogram';

const WINDOW_MS = 3_600_000;
const BUCKET_MS = 300_000;

/**
 * Learns each hop's normal latency per probe, service and instance, from hops of healthy runs
 * only (a slow instance must not teach itself that slow is normal). Over a sliding hour;
 * bounded to `maxSeries` series. An instance with too few samples falls back to its service.
 */
export class BaselineStore {
  private readonly _series = new Map<string, { histogram: WindowedHistogram; lastMs: number }>();

  constructor(
    private readonly _now: () => number = Date.now,
    private readonly _maxSeries = 5000,
    private readonly _minSamples = DEFAULT_BASELINE_RULE.minSamples,
  ) {}

  record(probe: string, service: string, instance: string, latencyMs: number, atMs: number): void {
    this._record(`${probe}|${service}|${instance}`, latencyMs, atMs);
    this._record(`${probe}|${service}|*`, latencyMs, atMs);
  }

  /** The baseline of a hop at one instance, else of its service. */
  baseline(probe: string, service: string, instance: string): Baseline | undefined {
    const own = this._summary(`${probe}|${service}|${instance}`);
    if (own && own.samples >= this._minSamples) return own;
    return this._summary(`${probe}|${service}|*`);
  }

  private _record(key: string, latencyMs: number, atMs: number): void {
    let entry = this._series.get(key);
    if (!entry) {
      if (this._series.size >= this._maxSeries) this._evictOldest();
      entry = { histogram: new WindowedHistogram(WINDOW_MS, BUCKET_MS), lastMs: atMs };
      this._series.set(key, entry);
    }
    entry.lastMs = Math.max(entry.lastMs, atMs);
    entry.histogram.record({ atMs, outcome: 'ok', latencyMs });
  }

  private _summary(key: string): Baseline | undefined {
    const summary = this._series.get(key)?.histogram.summary(this._now());
    if (!summary || summary.count === 0 || summary.p50Ms === undefined || summary.p90Ms === undefined) return undefined;
    return { p50Ms: summary.p50Ms, p90Ms: summary.p90Ms, samples: summary.count };
  }

  private _evictOldest(): void {
    let oldest: [string, { lastMs: number }] | undefined;
    for (const entry of this._series) if (!oldest || entry[1].lastMs < oldest[1].lastMs) oldest = entry;
    if (oldest) this._series.delete(oldest[0]);
  }
}
