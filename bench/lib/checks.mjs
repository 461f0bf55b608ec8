// Correctness checks of one measured run. Speed is never checked here: on a shared machine it is
// noise; only outcomes that must hold under any load are.

/** The failures of `run` (an empty array when it is correct). */
export function checkRun(run) {
  const failures = [];
  const where = `${run.mode} (round ${run.round + 1})`;
  const fail = (message) => failures.push(`${where}: ${message}`);
  if (run.exitedDuringRun) fail(`the service stopped during the run: ${JSON.stringify(run.exitedDuringRun)}`);
  if (run.requests === 0) fail('no request completed');
  if (run.errors > 0 || run.timeouts > 0) fail(`${run.errors} errors, ${run.timeouts} timeouts under load`);
  if (run.non2xx > 0) fail(`${run.non2xx} non-2xx responses`);
  if (!run.hops) return failures;

  const accounted = run.hops.written + run.hops.duplicates + run.hops.droppedTotal;
  if (run.mode === 'ordinary') {
    if (run.hops.written > 0 || run.hopRecordsInRedis > 0) fail('ordinary traffic wrote hop records to Redis');
  } else {
    if (accounted < run.ok2xx)
      fail(`${run.ok2xx} probes answered but only ${accounted} hops written or counted as dropped`);
    const rejected = Object.values(run.hops.rejectedTokens).reduce((a, b) => a + b, 0);
    if (rejected > 0) fail(`${rejected} valid probe tokens were refused`);
  }
  if (run.mode === 'probes') {
    if (run.hops.written <= 0) fail('no hop written');
    if (run.hops.droppedTotal > 0) fail(`${run.hops.droppedTotal} hops dropped: ${JSON.stringify(run.hops.dropped)}`);
    if (run.hopRecordsInRedis !== run.hopsWrittenSinceStart) {
      fail(`the drop-in counted ${run.hopsWrittenSinceStart} hops written, Redis holds ${run.hopRecordsInRedis}`);
    }
  }
  if (run.mode === 'probes-redis-down') {
    if (run.hops.written > 0) fail('hops written although Redis is unreachable');
    if (run.hops.droppedTotal < run.ok2xx)
      fail(`only ${run.hops.droppedTotal} of ${run.ok2xx} hops counted as dropped`);
  }
  return failures;
}
