/** What is normal for a hop: its latency percentiles over the last hour of healthy runs. */
export interface Baseline {
  p50Ms: number;
  p90Ms: number;
  samples: number;
}

/**
 * How a hop without a budget is judged slow: it takes more than `factor` × its usual p90 AND
 * more than `floorMs` (so that a 2 ms hop taking 7 ms pages nobody), once its baseline has at
 * least `minSamples` samples.
 */
export interface BaselineRule {
  factor: number;
  floorMs: number;
  minSamples: number;
}

export const DEFAULT_BASELINE_RULE: BaselineRule = { factor: 3, floorMs: 100, minSamples: 20 };

/** The latency above which a hop counts as slow, or undefined when its baseline is not trusted yet. */
export function baselineThresholdMs(baseline: Baseline | undefined, rule: BaselineRule): number | undefined {
  if (!baseline || baseline.samples < rule.minSamples) return undefined;
  return Math.max(rule.floorMs, rule.factor * baseline.p90Ms);
}
