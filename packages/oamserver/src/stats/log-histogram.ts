/**
 * Relative error of a LogHistogram's percentiles: a value is reported within 1 % of what was
 * recorded (above 100 µs).
 */
export const LOG_HISTOGRAM_RELATIVE_ERROR = 0.01;

const GAMMA = (1 + LOG_HISTOGRAM_RELATIVE_ERROR) / (1 - LOG_HISTOGRAM_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Values are microseconds; at or below 100 µs they share the first bucket (a hop takes longer). */
const MIN_US = 100;
/** One hour; longer values count as one hour. */
const MAX_US = 3_600_000_000;
/** Buckets of the whole range, 100 µs to an hour: about 870. */
export const LOG_HISTOGRAM_BUCKETS = Math.ceil(Math.log(MAX_US / MIN_US) / LOG_GAMMA) + 1;
/** Room added on each side when the stored range grows, so that a few new values do not copy it each time. */
const GROW_SLACK = 4;

function bucketOf(us: number): number {
  const value = Math.min(MAX_US, Math.max(1, us));
  return value <= MIN_US ? 0 : Math.min(LOG_HISTOGRAM_BUCKETS - 1, Math.ceil(Math.log(value / MIN_US) / LOG_GAMMA));
}

/**
 * A histogram of latencies in microseconds with logarithmic buckets (the layout of DDSketch),
 * 1 % relative error. Only the range of buckets that holds values is stored (a hop's latencies
 * span a few dozen buckets: a few hundred bytes; the whole range, 870 counters, is 3.5 KB at
 * most). Merging is adding counters over that range; a percentile is one pass over it. It
 * replaced hdr-histogram-js's packed histograms, whose merges cost milliseconds per baseline
 * lookup (bench/hdr-merge.mjs, docs/deployment.md).
 */
export class LogHistogram {
  /**
   * Counts of buckets _offset, _offset + 1, ...; the occupied ones lie in [_low, _high]. A plain
   * array of small integers, on the JavaScript heap: a typed array costs a separate allocation
   * outside it (with its bookkeeping, larger than a few dozen counters), and tens of thousands of
   * them, made and dropped as buckets rotate, fragment the process's memory.
   */
  private _counts: number[] = [];
  private _offset = 0;
  private _low = LOG_HISTOGRAM_BUCKETS;
  private _high = -1;
  totalCount = 0;
  maxValue = 0;

  recordValue(us: number): void {
    const index = bucketOf(us);
    this._cover(index, index);
    this._counts[index - this._offset]!++;
    this.totalCount++;
    this.maxValue = Math.max(this.maxValue, Math.min(MAX_US, Math.max(1, us)));
  }

  add(other: LogHistogram): void {
    if (other.totalCount === 0) return;
    this._cover(other._low, other._high);
    const shift = other._offset - this._offset;
    for (let i = other._low - other._offset; i <= other._high - other._offset; i++)
      this._counts[i + shift]! += other._counts[i]!;
    this.totalCount += other.totalCount;
    this.maxValue = Math.max(this.maxValue, other.maxValue);
  }

  /** Forgets every value, keeping the storage (a scratch histogram reused for merges). */
  reset(): void {
    if (this._high >= this._low) this._counts.fill(0, this._low - this._offset, this._high - this._offset + 1);
    this._low = LOG_HISTOGRAM_BUCKETS;
    this._high = -1;
    this.totalCount = 0;
    this.maxValue = 0;
  }

  /** The value at `percentile` (0 to 100), within the relative error; 0 when empty. */
  getValueAtPercentile(percentile: number): number {
    if (this.totalCount === 0) return 0;
    const rank = Math.max(1, Math.ceil((percentile / 100) * this.totalCount));
    let seen = 0;
    for (let i = this._low; i <= this._high; i++) {
      seen += this._counts[i - this._offset]!;
      if (seen >= rank) return i === 0 ? MIN_US : (MIN_US * 2 * GAMMA ** i) / (GAMMA + 1);
    }
    return this.maxValue;
  }

  /** Bytes of counters stored (8 a counter: for the docs' memory figures and the bench). */
  get storedBytes(): number {
    return this._counts.length * 8;
  }

  /** Makes buckets low..high addressable, growing the stored range when needed. */
  private _cover(low: number, high: number): void {
    const end = this._offset + this._counts.length;
    if (low >= this._offset && high < end) {
      if (low < this._low) this._low = low;
      if (high > this._high) this._high = high;
      return;
    }
    const newLow = Math.min(this._low, low);
    const newHigh = Math.max(this._high, high);
    const offset = Math.max(0, newLow - GROW_SLACK);
    const counts = new Array<number>(Math.min(LOG_HISTOGRAM_BUCKETS, newHigh + 1 + GROW_SLACK) - offset).fill(0);
    for (let i = this._low; i <= this._high; i++) counts[i - offset] = this._counts[i - this._offset]!;
    this._counts = counts;
    this._offset = offset;
    this._low = newLow;
    this._high = newHigh;
  }
}
