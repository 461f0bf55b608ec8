import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_HISTOGRAM_RELATIVE_ERROR, LogHistogram } from '../src/stats/log-histogram';

/** The exact value at a percentile, the way the histogram ranks: the ceil(p% × n)-th smallest. */
function exactPercentile(values: number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((percentile / 100) * sorted.length)) - 1]!;
}

const latencyUs = fc.integer({ min: 101, max: 3_600_000_000 });

describe('LogHistogram', () => {
  it('reports every percentile within its relative error of the exact value', () => {
    fc.assert(
      fc.property(
        fc.array(latencyUs, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => {
          const histogram = new LogHistogram();
          for (const v of values) histogram.recordValue(v);
          const exact = exactPercentile(values, p);
          const reported = histogram.getValueAtPercentile(p);
          expect(Math.abs(reported - exact) / exact).toBeLessThanOrEqual(LOG_HISTOGRAM_RELATIVE_ERROR + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merging two histograms is the same as recording both sets of values in one', () => {
    fc.assert(
      fc.property(fc.array(latencyUs, { maxLength: 100 }), fc.array(latencyUs, { maxLength: 100 }), (a, b) => {
        const merged = new LogHistogram();
        const left = new LogHistogram();
        const right = new LogHistogram();
        for (const v of a) left.recordValue(v);
        for (const v of b) right.recordValue(v);
        merged.add(left);
        merged.add(right);
        const together = new LogHistogram();
        for (const v of [...a, ...b]) together.recordValue(v);
        expect(merged.totalCount).toBe(together.totalCount);
        expect(merged.maxValue).toBe(together.maxValue);
        for (const p of [1, 50, 90, 95, 99, 100]) {
          expect(merged.getValueAtPercentile(p)).toBe(together.getValueAtPercentile(p));
        }
      }),
    );
  });

  it('an empty histogram answers 0; values at or below 100 µs share the first bucket; above an hour count as an hour', () => {
    const histogram = new LogHistogram();
    expect(histogram.getValueAtPercentile(50)).toBe(0);
    histogram.recordValue(3);
    histogram.recordValue(100);
    expect(histogram.getValueAtPercentile(100)).toBe(100);
    histogram.recordValue(10 * 3_600_000_000);
    expect(histogram.maxValue).toBe(3_600_000_000);
    expect(histogram.totalCount).toBe(3);
  });
});
