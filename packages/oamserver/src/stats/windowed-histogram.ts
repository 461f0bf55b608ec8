import { LogHistogram } from './log-histogram';

/** Latencies are kept in microseconds, up to 1 hour. */
const HIGHEST_US = 3_600_000_000;

/**
 * Where a window's summary() merges its buckets: one histogram reused by every summary, since a
 * summary is computed synchronously from start to end (no allocation per lookup; a baseline is
 * looked up for every hop of every run).
 */
const scratch = new LogHistogram();

/** One sample of a series. */
export interface Sample {
  atMs: number;
  /** How the run (or hop) went: ok, a fault, or unknown (hoptrace could not tell). */
  outcome: 'ok' | 'fault' | 'unknown';
  latencyMs?: number;
}

/** What a window holds. */
export interface WindowSummary {
  count: number;
  faults: number;
  unknown: number;
  /** Share of judged samples (not unknown) that were ok; undefined with no judged sample. */
  okRatio?: number;
  p50Ms?: number;
  p90Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

interface Bucket {
  startMs: number;
  count: number;
  faults: number;
  unknown: number;
  latency: LogHistogram | undefined;
  /** Percentiles of `latency`, computed once after its last change (a chart asks for every bucket). */
  percentiles?: { p50Ms: number; p95Ms: number };
}

/** One bucket of the window, for a chart. */
export interface BucketSummary {
  startMs: number;
  count: number;
  faults: number;
  unknown: number;
  p50Ms?: number;
  p95Ms?: number;
}

/**
 * A sliding window made of a fixed ring of time buckets, each with its own counters and a
 * LogHistogram of latencies (bounded: at most 870 counters). Memory is bounded by the ring size,
 * whatever the rate.
 */
export class WindowedHistogram {
  private readonly _ring: (Bucket | undefined)[];

  constructor(
    private readonly _spanMs: number,
    private readonly _bucketMs: number,
  ) {
    this._ring = new Array<Bucket | undefined>(Math.ceil(_spanMs / _bucketMs) + 1).fill(undefined);
  }

  record(sample: Sample): void {
    const startMs = Math.floor(sample.atMs / this._bucketMs) * this._bucketMs;
    const index = Math.floor(startMs / this._bucketMs) % this._ring.length;
    let bucket = this._ring[index];
    if (!bucket || bucket.startMs !== startMs) {
      if (bucket && bucket.startMs > startMs) return; // older than the window: ignore
      bucket = { startMs, count: 0, faults: 0, unknown: 0, latency: undefined };
      this._ring[index] = bucket;
    }
    bucket.count++;
    if (sample.outcome === 'fault') bucket.faults++;
    if (sample.outcome === 'unknown') bucket.unknown++;
    if (sample.latencyMs !== undefined && Number.isFinite(sample.latencyMs)) {
      bucket.percentiles = undefined;
      bucket.latency ??= new LogHistogram();
      bucket.latency.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(sample.latencyMs * 1000))));
    }
  }

  /** Samples in the window (cheap: no histogram is merged). */
  count(nowMs: number): number {
    let count = 0;
    for (const bucket of this._ring) if (bucket && this._inWindow(bucket, nowMs)) count += bucket.count;
    return count;
  }

  private _inWindow(bucket: Bucket, nowMs: number): boolean {
    return bucket.startMs + this._bucketMs > nowMs - this._spanMs && bucket.startMs <= nowMs;
  }

  /** Every bucket of the window, oldest first, empty ones included (a chart's x axis has no gaps). */
  buckets(nowMs: number): BucketSummary[] {
    const newest = Math.floor(nowMs / this._bucketMs) * this._bucketMs;
    const out: BucketSummary[] = [];
    for (
      let startMs = newest - (this._ring.length - 2) * this._bucketMs;
      startMs <= newest;
      startMs += this._bucketMs
    ) {
      const bucket = this._ring[Math.floor(startMs / this._bucketMs) % this._ring.length];
      if (!bucket || bucket.startMs !== startMs) {
        out.push({ startMs, count: 0, faults: 0, unknown: 0 });
        continue;
      }
      const point: BucketSummary = { startMs, count: bucket.count, faults: bucket.faults, unknown: bucket.unknown };
      if (bucket.latency && bucket.latency.totalCount > 0) {
        const max = bucket.latency.maxValue;
        bucket.percentiles ??= {
          p50Ms: Math.min(bucket.latency.getValueAtPercentile(50), max) / 1000,
          p95Ms: Math.min(bucket.latency.getValueAtPercentile(95), max) / 1000,
        };
        Object.assign(point, bucket.percentiles);
      }
      out.push(point);
    }
    return out;
  }

  /**
   * Counts and percentiles of the window. `chartBuckets`: only the buckets `buckets()` lists (the
   * window's whole buckets), so that numbers and chart agree; else every bucket that overlaps it.
   */
  summary(nowMs: number, options: { chartBuckets?: boolean } = {}): WindowSummary {
    const summary: WindowSummary = { count: 0, faults: 0, unknown: 0 };
    const newest = Math.floor(nowMs / this._bucketMs) * this._bucketMs;
    const oldest = newest - (this._ring.length - 2) * this._bucketMs;
    const counted = (bucket: Bucket): boolean =>
      options.chartBuckets ? bucket.startMs >= oldest && bucket.startMs <= newest : this._inWindow(bucket, nowMs);
    const merged = scratch;
    merged.reset();
    for (const bucket of this._ring) {
      if (!bucket || !counted(bucket)) continue;
      summary.count += bucket.count;
      summary.faults += bucket.faults;
      summary.unknown += bucket.unknown;
      if (bucket.latency) merged.add(bucket.latency);
    }
    const judged = summary.count - summary.unknown;
    if (judged > 0) summary.okRatio = (judged - summary.faults) / judged;
    if (merged.totalCount > 0) {
      // Percentiles are bucket midpoints; never report one above the largest value recorded.
      const max = merged.maxValue;
      summary.p50Ms = Math.min(merged.getValueAtPercentile(50), max) / 1000;
      summary.p90Ms = Math.min(merged.getValueAtPercentile(90), max) / 1000;
      summary.p95Ms = Math.min(merged.getValueAtPercentile(95), max) / 1000;
      summary.p99Ms = Math.min(merged.getValueAtPercentile(99), max) / 1000;
      summary.maxMs = max / 1000;
    }
    return summary;
  }
}
