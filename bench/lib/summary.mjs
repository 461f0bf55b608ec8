// Per-handler summary of the measured runs: medians over rounds, ratios against `bare` and `otel`
// of the same handler and invocation (never against numbers from another run or machine), the
// issue-10 targets and a probe hop's own CPU cost.
import { MODES } from './modes.mjs';

/** Issue 10's targets: probe-only ordinary traffic against bare, full mode against plain OpenTelemetry. */
export const TARGETS = { probeOnlyMinReqPerSecVsBare: 0.95, probeOnlyMaxCpuVsBare: 1.05, fullMinReqPerSecVsOtel: 1.0 };

export function median(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ratio = (value, base) => (value === null || value === undefined || !base ? null : value / base);
const minus = (a, b) => (a === null || a === undefined || b === null || b === undefined ? null : a - b);
const sum = (values) => values.reduce((a, b) => a + (b ?? 0), 0);

/** min, median and max of the non-null values, or null when there are none. */
function band(values) {
  const v = values.filter((x) => x !== null && x !== undefined);
  return v.length === 0 ? null : { min: Math.min(...v), median: median(v), max: Math.max(...v) };
}

function addCounts(target, counts) {
  for (const [key, n] of Object.entries(counts ?? {})) target[key] = (target[key] ?? 0) + n;
  return target;
}

/** The medians of one mode's runs, with its totals over rounds. */
function modeEntry(mode, own) {
  const withHops = own.filter((r) => r.hops);
  return {
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
    probesSent: sum(own.map((r) => r.probesSent)),
    hops:
      withHops.length > 0
        ? {
            written: sum(withHops.map((r) => r.hops.written)),
            droppedTotal: sum(withHops.map((r) => r.hops.droppedTotal)),
            dropped: withHops.reduce((acc, r) => addCounts(acc, r.hops.dropped), {}),
            probeCandidates: sum(withHops.map((r) => r.hops.probeCandidates)),
          }
        : null,
    spansExported: own.some((r) => r.spansExported !== null) ? sum(own.map((r) => r.spansExported)) : null,
  };
}

/** Same-round values of `f(run, pairedRun)` for the rounds where both ran. */
function sameRound(own, others, f) {
  return own.map((r) => {
    const other = others.find((o) => o.round === r.round);
    return other ? f(r, other) : null;
  });
}

/** The summary of one handler's runs. */
function summarizeHandler(handler, runs) {
  const byMode = (id) => runs.filter((r) => r.mode === id);
  const entries = MODES.map((mode) => modeEntry(mode, byMode(mode.id)));
  const entry = (id) => entries.find((e) => e.mode === id);
  for (const e of entries) {
    const own = byMode(e.mode);
    for (const [key, ref] of [
      ['vsBare', 'bare'],
      ['vsOtel', 'otel'],
    ]) {
      const base = entry(ref);
      const refRuns = byMode(ref);
      e[key] = {
        reqPerSec: ratio(e.reqPerSec, base.reqPerSec),
        p99Ms: ratio(e.p99Ms, base.p99Ms),
        cpuUsPerReq: ratio(e.cpuUsPerReq, base.cpuUsPerReq),
      };
      // Same-round ratios show how much of a difference is noise: they should agree with each other.
      e[`${key}Rounds`] = {
        reqPerSec: band(sameRound(own, refRuns, (r, b) => ratio(r.reqPerSec, b.reqPerSec))),
        cpuUsPerReq: band(sameRound(own, refRuns, (r, b) => ratio(r.cpuUsPerReq, b.cpuUsPerReq))),
      };
    }
  }

  const target = (what, modeId, key, ref, limit, atLeast) => {
    const e = entry(modeId);
    const value = e[key][ref];
    return {
      what,
      mode: modeId,
      value,
      limit,
      atLeast,
      sameRound: e[`${key}Rounds`][ref],
      met: value === null ? null : atLeast ? value >= limit : value <= limit,
    };
  };
  const targets = [
    target(
      'probe-only, ordinary traffic: throughput vs bare',
      'probe-only',
      'vsBare',
      'reqPerSec',
      TARGETS.probeOnlyMinReqPerSecVsBare,
      true,
    ),
    target(
      'probe-only, ordinary traffic: CPU per request vs bare',
      'probe-only',
      'vsBare',
      'cpuUsPerReq',
      TARGETS.probeOnlyMaxCpuVsBare,
      false,
    ),
    target(
      'full: throughput vs plain OpenTelemetry',
      'full',
      'vsOtel',
      'reqPerSec',
      TARGETS.fullMinReqPerSecVsOtel,
      true,
    ),
  ];

  // A probe hop's own CPU: a probe request's CPU above an ordinary request's (per the notes).
  const hopCost = (what, probesId, ordinaryId) => ({
    what,
    probes: probesId,
    ordinary: ordinaryId,
    us: minus(entry(probesId).cpuUsPerReq, entry(ordinaryId).cpuUsPerReq),
    sameRound: band(sameRound(byMode(probesId), byMode(ordinaryId), (r, b) => minus(r.cpuUsPerReq, b.cpuUsPerReq))),
  });
  const probeHopCost = [
    hopCost('full mode', 'full-probes', 'full'),
    hopCost('probe-only mode', 'probe-only-probes', 'bare'),
    hopCost('plain OpenTelemetry, every request sampled (for comparison)', 'otel-probes', 'otel'),
    hopCost("hoptrace's own work per hop beyond recording its spans", 'full-probes', 'otel-probes'),
  ];
  return { handler: handler.id, label: handler.label, modes: entries, targets, probeHopCost };
}

/** One summary per handler that has runs, in `handlers` order. */
export function summarize(runs, handlers) {
  return handlers
    .map((h) => ({ handler: h, runs: runs.filter((r) => r.handler === h.id) }))
    .filter(({ runs: own }) => own.length > 0)
    .map(({ handler, runs: own }) => summarizeHandler(handler, own));
}
