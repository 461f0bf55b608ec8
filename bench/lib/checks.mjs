// Correctness checks of one measured run. Speed is never checked here: on a shared machine it is
// noise; only outcomes that must hold under any load are.
import { isHoptrace, modeById } from './modes.mjs';

/** The failures of `run` (an empty array when it is correct). */
export function checkRun(run) {
  const failures = [];
  const mode = modeById(run.mode);
  const where = `${run.handler} ${run.mode} (round ${run.round + 1})`;
  const fail = (message) => failures.push(`${where}: ${message}`);
  if (run.exitedDuringRun) fail(`the service stopped during the run: ${JSON.stringify(run.exitedDuringRun)}`);
  if (run.requests === 0) fail('no request completed');
  if (run.errors > 0 || run.timeouts > 0) fail(`${run.errors} errors, ${run.timeouts} timeouts under load`);
  if (run.non2xx > 0) fail(`${run.non2xx} non-2xx responses`);
  if (run.exitedDuringRun || !mode.preload) return failures;

  // The service runs what the mode says (HOPTRACE_MODE taken, the otel-only preload loaded).
  const expected = mode.hoptraceMode ?? 'otel';
  if (run.instrumentationMode !== expected)
    fail(`the service runs in mode ${run.instrumentationMode}, not ${expected}`);

  if (!isHoptrace(mode)) {
    // Sampled requests are recorded: each probe (a sampled traceparent) gives at least its server span.
    const sampled = mode.traffic === 'probes' ? run.ok2xx : run.probesSent;
    if (!(run.spansExported >= sampled)) fail(`${sampled} sampled requests but ${run.spansExported} spans exported`);
    return failures;
  }

  const { hops } = run;
  const rejected = Object.values(hops.rejectedTokens).reduce((a, b) => a + b, 0);
  if (rejected > 0) fail(`${rejected} valid probe tokens were refused`);
  const redisMatches = () => {
    if (run.hopRecordsInRedis !== run.hopsWrittenSinceStart) {
      fail(`the drop-in counted ${run.hopsWrittenSinceStart} hops written, Redis holds ${run.hopRecordsInRedis}`);
    }
  };
  if (mode.traffic === 'ordinary') {
    // Exactly the trickle's probes became hops: no ordinary request did, and no probe was lost.
    if (hops.written !== run.probesSent || hops.droppedTotal > 0) {
      fail(`${run.probesSent} probes sent, ${hops.written} hops written, ${hops.droppedTotal} dropped`);
    }
    if (mode.hoptraceMode === 'probe-only' && hops.probeCandidates !== run.probesSent) {
      fail(`${run.probesSent} probes sent, ${hops.probeCandidates} counted as probe candidates`);
    }
    redisMatches();
    return failures;
  }

  const accounted = hops.written + hops.duplicates + hops.droppedTotal;
  if (accounted < run.ok2xx)
    fail(`${run.ok2xx} probes answered but only ${accounted} hops written or counted as dropped`);
  if (mode.hoptraceMode === 'probe-only' && hops.probeCandidates < run.ok2xx) {
    fail(`${run.ok2xx} probes answered, only ${hops.probeCandidates} counted as probe candidates`);
  }
  if (mode.redisDown) {
    if (hops.written > 0) fail('hops written although Redis is unreachable');
    if (hops.droppedTotal < run.ok2xx) fail(`only ${hops.droppedTotal} of ${run.ok2xx} hops counted as dropped`);
  } else {
    if (hops.written <= 0) fail('no hop written');
    // A full hop queue sheds load by design (thousands of probes a second on the minimal handler
    // can outrun the exporter on this machine); any other reason to drop a hop is a failure.
    const otherDrops = Object.entries(hops.dropped).filter(([reason]) => reason !== 'queue_full');
    if (otherDrops.length > 0) {
      fail(`hops dropped for other reasons than a full queue: ${JSON.stringify(Object.fromEntries(otherDrops))}`);
    }
    redisMatches();
  }
  return failures;
}
