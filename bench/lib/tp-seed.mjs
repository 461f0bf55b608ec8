// The last hour of a level's probes, seeded before its Oamserver starts, so that the Oamserver is
// measured in its steady state rather than fresh: at start it reads the last hour of stored runs
// back into its rolling statistics, baselines and timeline (Oamserver._warmStats, at most
// storage.maxRuns runs). What a lookup of those costs depends on how many of a window's buckets
// hold data (a baseline merges the histograms of an hour's twelve 5-minute buckets), not on how
// many runs they hold: `runsPerProbe` runs per probe, evenly over the hour, fill them all.
// Written the way the Oamserver stores runs: RunStore.createRun then RunStore.finishRun, with
// classify()'s verdict on the run's hop records (lib/tp-hops.mjs).
import { RunStore, classify } from '@hoptrace/oamserver';
import { instancePicker, newIds, outcomePicker, runHops, runRecord, triggerOutcome } from './tp-hops.mjs';

/** Seeds up to `runsPerProbe` runs per probe (at most `maxRuns` in all) over the hour before now. */
export async function seedLastHour({
  redis,
  keyPrefix,
  probeNames,
  runsPerProbe,
  maxRuns,
  runTtlMs,
  instances,
  mix,
  timeoutMs,
}) {
  const store = new RunStore(redis, { keyPrefix, maxRuns, runTtlMs });
  const pickOutcome = outcomePicker(mix);
  const pickInstance = instancePicker(instances);
  const perProbe = Math.max(1, Math.min(runsPerProbe, Math.floor(maxRuns / probeNames.length)));
  const nowMs = Date.now();
  const spanMs = 3_600_000 - 60_000;
  const jobs = [];
  for (let k = 0; k < perProbe; k++) {
    for (const [p, probe] of probeNames.entries()) {
      const firedAtMs = nowMs - 60_000 - Math.floor(((k + p / probeNames.length) * spanMs) / perProbe);
      jobs.push({ probe, firedAtMs });
    }
  }
  const verdicts = {};
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { probe, firedAtMs } = jobs[next++];
      const { runId, traceId, triggerSpanId } = newIds(firedAtMs);
      const run = runRecord({ runId, probe, traceId, firedAtMs, timeoutMs });
      const outcome = pickOutcome();
      const made = runHops({ runId, probe, traceId, triggerSpanId, startMs: firedAtMs + 1, outcome, pickInstance });
      const trigger = triggerOutcome(made);
      const classifiedAtMs = outcome === 'lost' ? run.deadlineMs + 100 : firedAtMs + made.entryDurationMs + 300;
      const classification = classify({ run, hops: made.hops, trigger }, classifiedAtMs - firedAtMs);
      verdicts[classification.verdict] = (verdicts[classification.verdict] ?? 0) + 1;
      await store.createRun(run);
      await store.finishRun({ ...classification, run, trigger, classifiedAtMs });
    }
  };
  await Promise.all(Array.from({ length: Math.min(200, jobs.length) }, worker));
  return { runs: jobs.length, runsPerProbe: perProbe, ms: Date.now() - started, verdicts };
}
