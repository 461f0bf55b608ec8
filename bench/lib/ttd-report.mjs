// Summary and table of a time-to-detect run, next to what the formula of docs/time-to-detect.md
// predicts for it.

/** Nearest-rank percentile (q in 0..1) of numbers; undefined for none. */
export function percentile(values, q) {
  const sorted = values.filter((v) => typeof v === 'number' && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && !Number.isNaN(x));
  if (v.length === 0) return undefined;
  return {
    n: v.length,
    min: percentile(v, 0),
    median: percentile(v, 0.5),
    p90: percentile(v, 0.9),
    max: percentile(v, 1),
    mean: Math.round(v.reduce((s, x) => s + x, 0) / v.length),
  };
}

/**
 * The formula: the run that opens the incident is the openAfter-th faulty visit of the bad
 * instance. With I instances behind round robin and interval P, the first such visit comes
 * U[0, I·P) after the fault (phase to the next run, plus 0..I-1 runs until the bad instance's
 * turn), each later one I·P after the previous, and the opening run then takes `c` to be
 * classified and recorded. So TTD = U[0, I·P) + (n-1)·I·P + c.
 */
export function formula({ instances, intervalMs, n, c }) {
  const cycle = instances * intervalMs;
  return {
    min: Math.round((n - 1) * cycle + c.min),
    mean: Math.round((n - 0.5) * cycle + c.mean),
    p90: Math.round((n - 1) * cycle + 0.9 * cycle + c.median),
    max: Math.round(n * cycle + c.max),
  };
}

/** Summary of the trials, with the formula's prediction from the measured classification times. */
export function summarizeTrials(trials, { instances, intervalMs, openAfter, resolveAfter }) {
  const good = trials.filter((t) => t.ttdSeenMs !== undefined && !t.openedBeforeFault);
  // c: from the opening run's firing to the incident being opened (classification + recording).
  const c = stats(good.map((t) => t.ttdOpenedMs - t.openingRun?.firedAfterT0Ms));
  const summary = {
    trials: trials.length,
    detected: good.length,
    failed: trials.filter((t) => t.error).length,
    openedBeforeFault: trials.filter((t) => t.openedBeforeFault).length,
    ttdSeenMs: stats(good.map((t) => t.ttdSeenMs)),
    ttdOpenedMs: stats(good.map((t) => t.ttdOpenedMs)),
    runsToOpen: stats(good.map((t) => t.runsToOpen)),
    badVisitsToOpen: stats(good.map((t) => t.badVisitsToOpen)),
    firedToOpenedMs: c,
    classifiedAfterFiredMs: stats(good.map((t) => t.openingRun?.classifiedAfterFiredMs)),
    // Of which: the run itself (first hop start to last hop end), then waiting for hop flushes and the collector.
    openingRunTotalMs: stats(good.map((t) => t.openingRun?.totalMs)),
    flushAndCollectMs: stats(
      good.map((t) => t.openingRun && Math.round(t.openingRun.classifiedAfterFiredMs - t.openingRun.totalMs)),
    ),
    openedAfterClassifiedMs: stats(good.map((t) => t.openingRun?.openedAfterClassifiedMs)),
    resolveSeenMs: stats(good.map((t) => t.resolveSeenMs)),
    resolveResolvedMs: stats(good.map((t) => t.resolveResolvedMs)),
    runsToResolve: stats(good.map((t) => t.runsToResolve)),
    otherIncidents: trials.reduce((s, t) => s + (t.otherIncidents?.length ?? 0), 0),
  };
  if (c) {
    summary.formulaOpenedMs = formula({ instances, intervalMs, n: openAfter, c });
    // Resolving: the same formula with n = resolveAfter, and c of the (healthy) run that resolved it.
    const cResolve = stats(good.map((t) => t.resolvingRun?.resolvedAfterFiredMs));
    summary.resolvingRunFiredToResolvedMs = cResolve;
    summary.formulaResolvedMs = formula({ instances, intervalMs, n: resolveAfter, c: cResolve ?? c });
    summary.formulaNote =
      'TTD = U[0, I·P) + (n-1)·I·P + c, c = measured firing-to-opened time of the opening run (min/mean/median/max ' +
      'used for min/mean/p90/max); the resolve line uses n = resolveAfter and c of the resolving run ' +
      (cResolve ? '' : '(not recorded in this file: the opening run c is used, ~0.4 s too high) ');
  }
  return summary;
}

const sec = (ms) => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(2));
const cell = (s, f = sec) => (s ? `${f(s.min)} / ${f(s.median)} / ${f(s.p90)} / ${f(s.max)}` : 'n/a');
const range = (s, f = String) => (s ? `${f(s.min)} / ${f(s.median)} / ${f(s.max)}` : 'n/a');

/** The report as lines of text. */
export function formatTtdReport({ summary, config, machine }) {
  const f = summary.formulaOpenedMs;
  const r = summary.formulaResolvedMs;
  return [
    '',
    `time to detect — ${machine.date}, ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ` +
      `load average ${machine.loadAvg1mAtStart.toFixed(1)} at start, ${machine.loadAvg1mAtEnd?.toFixed(1)} at end`,
    `deposit-voicemail every ${config.interval}, ${config.instances} instances per service, openAfter ` +
      `${config.openAfter}, resolveAfter ${config.resolveAfter}; fault ${JSON.stringify(config.fault)} on ` +
      `${config.faultInstance}; ${summary.detected}/${summary.trials} trials detected` +
      (summary.openedBeforeFault ? `, ${summary.openedBeforeFault} spoiled (incident open before the fault)` : ''),
    '',
    `                              min / median / p90 / max (s)`,
    `TTD (seen by polling)         ${cell(summary.ttdSeenMs)}`,
    `TTD (openedAtMs − T0)         ${cell(summary.ttdOpenedMs)}`,
    `  formula (n = openAfter)     ${f ? `${sec(f.min)} / mean ${sec(f.mean)} / ${sec(f.p90)} / ${sec(f.max)}` : 'n/a'}`,
    `opening run: fired → opened   ${cell(summary.firedToOpenedMs)}`,
    `  of which the run itself     ${cell(summary.openingRunTotalMs)}`,
    `  then flush + collector      ${cell(summary.flushAndCollectMs)}`,
    `  then classified → opened    ${cell(summary.openedAfterClassifiedMs)}`,
    `runs fired T0 → opening run   ${range(summary.runsToOpen)}  (min / median / max)`,
    `visits of the bad instance    ${range(summary.badVisitsToOpen)}`,
    `time to resolve (seen)        ${cell(summary.resolveSeenMs)}`,
    `  resolving run: fired → res. ${cell(summary.resolvingRunFiredToResolvedMs)}`,
    `time to resolve (resolvedAt)  ${cell(summary.resolveResolvedMs)}`,
    `  formula (n = resolveAfter)  ${r ? `${sec(r.min)} / mean ${sec(r.mean)} / ${sec(r.p90)} / ${sec(r.max)}` : 'n/a'}`,
    `other incidents opened during the trials: ${summary.otherIncidents}`,
  ];
}
