// Per-mode summary of the measured runs: medians over rounds, and ratios against the baseline
// medians of the same invocation (never against numbers from another run or machine).
import { MODES } from './modes.mjs';

/** Targets of RELIABILITY.md §5.3, as ratios against the baseline. */
export const TARGETS = { maxP99Ratio: 1.05, minReqPerSecRatio: 0.9 };

export function median(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ratio = (value, base) => (value === null || !base ? null : value / base);
const sum = (values) => values.reduce((a, b) => a + b, 0);

function addCounts(target, counts) {
  for (const [key, n] of Object.entries(counts ?? {})) target[key] = (target[key] ?? 0) + n;
  return target;
}

/** One entry per mode, in MODES order. */
export function summarize(runs) {
  const baseRuns = runs.filter((r) => r.mode === 'baseline');
  const base = {
    reqPerSec: median(baseRuns.map((r) => r.reqPerSec)),
    p99Ms: median(baseRuns.map((r) => r.latencyMs.p99)),
    cpuUsPerReq: median(baseRuns.map((r) => r.cpuUsPerReq)),
  };
  return MODES.map((mode) => {
    const own = runs.filter((r) => r.mode === mode.id);
    const withHops = own.filter((r) => r.hops);
    const paired = own.map((r) => baseRuns.find((b) => b.round === r.round)).filter(Boolean);
    const entry = {
      mode: mode.id,
      label: mode.label,
      rounds: own.length,
      reqPerSec: median(own.map((r) => r.reqPerSec)),
      p50Ms: median(own.map((r) => r.latencyMs.p50)),
      p99Ms: median(own.map((r) => r.latencyMs.p99)),
      cpuUsPerReq: median(own.map((r) => r.cpuUsPerReq)),
      peakRssMiB: median(own.map((r) => r.peakRssMiB)),
      requests: sum(own.map((r) => r.requests)),
      errors: sum(own.map((r) => r.errors + r.timeouts)),
      non2xx: sum(own.map((r) => r.non2xx)),
      hops: mode.instrumented
        ? {
            written: sum(withHops.map((r) => r.hops.written)),
            droppedTotal: sum(withHops.map((r) => r.hops.droppedTotal)),
            dropped: withHops.reduce((acc, r) => addCounts(acc, r.hops.dropped), {}),
          }
        : null,
    };
    entry.ratio = {
      reqPerSec: ratio(entry.reqPerSec, base.reqPerSec),
      p99Ms: ratio(entry.p99Ms, base.p99Ms),
      cpuUsPerReq: ratio(entry.cpuUsPerReq, base.cpuUsPerReq),
    };
    // Same-round ratios show how much of a difference is noise: they should agree with each other.
    entry.roundRatios = {
      reqPerSec: own.map((r, i) => ratio(r.reqPerSec, paired[i]?.reqPerSec)),
      p99Ms: own.map((r, i) => ratio(r.latencyMs.p99, paired[i]?.latencyMs.p99)),
    };
    entry.roundRatioMedian = {
      reqPerSec: median(entry.roundRatios.reqPerSec),
      p99Ms: median(entry.roundRatios.p99Ms),
    };
    entry.addedCpuUsPerReq =
      entry.cpuUsPerReq === null || base.cpuUsPerReq === null ? null : entry.cpuUsPerReq - base.cpuUsPerReq;
    if (mode.instrumented) {
      entry.targets = {
        p99: entry.ratio.p99Ms !== null && entry.ratio.p99Ms <= TARGETS.maxP99Ratio,
        throughput: entry.ratio.reqPerSec !== null && entry.ratio.reqPerSec >= TARGETS.minReqPerSecRatio,
      };
    }
    return entry;
  });
}
