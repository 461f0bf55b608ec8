/**
 * Relative error of a LogHistogram's percentiles: a value is reported within 2 % of what was
 * recorded. Coarser than the HDR histograms of the rolling statistics (1 %), and far cheaper to
 * merge: the overview merges 60 of them per probe and window on every request.
 */
export const LOG_HISTOGRAM_RELATIVE_ERROR = 0.02;

const GAMMA = (1 + LOG_HISTOGRAM_RELATIVE_ERROR) / (1 - LOG_HISTOGRAM_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Values are microseconds; at or below 100 µs they share the first bucket (a run takes longer). */
const MIN_US = 100;
/** One hour, like the rolling statistics; longer values count as one hour. */
const MAX_US = 3_600_000_000;
const BUCKETS = Math.ceil(Math.log(MAX_US / MIN_US) / LOG_GAMMA) + 1;

/**
 * A fixed-size histogram of latencies in microseconds with logarithmic buckets (the layout of
 * DDSketch): about 440 counters, 1.7 KB, whatever the number of values. Merging is adding
 * counters; a percentile is one pass over them. It offers the part of hdr-histogram-js's API
 * that WindowedHistogram uses.
 */
export class LogHistogram {
  private readonly _counts = new Uint32Array(BUCKETS);
  /** Occupied buckets lie in [_low, _high]: merges and percentiles skip the empty ends. */
  private _low = BUCKETS;
  private _high = -1;
  totalCount = 0;
  maxValue = 0;

  recordValue(us: number): void {
    const value = Math.min(MAX_US, Math.max(1, us));
    const index = value <= MIN_US ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / MIN_US) / LOG_GAMMA));
    this._counts[index]!++;
    this._low = Math.min(this._low, index);
    this._high = Math.max(this._high, index);
    this.totalCount++;
    this.maxValue = Math.max(this.maxValue, value);
  }

  add(other: LogHistogram): void {
    for (let i = other._low; i <= other._high; i++) this._counts[i]! += other._counts[i]!;
    this._low = Math.min(this._low, other._low);
    this._high = Math.max(this._high, other._high);
    this.totalCount += other.totalCount;
    this.maxValue = Math.max(this.maxValue, other.maxValue);
  }

  /** The value at `percentile` (0 to 100), within the relative error; 0 when empty. */
  getValueAtPercentile(percentile: number): number {
    if (this.totalCount === 0) return 0;
    const rank = Math.max(1, Math.ceil((percentile / 100) * this.totalCount));
    let seen = 0;
    for (let i = this._low; i <= this._high; i++) {
      seen += this._counts[i]!;
      if (seen >= rank) return i === 0 ? MIN_US : (MIN_US * 2 * GAMMA ** i) / (GAMMA + 1);
    }
    return this.maxValue;
  }
}
