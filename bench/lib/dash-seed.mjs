// Seeds the history of bench/dashboard-api.mjs into Redis exactly the way the Oamserver stores
// runs: RunStore.createRun(run) then RunStore.finishRun(result) (finish-run.lua, the summary, the
// verdict / service / instance / probe-fault indexes), `concurrency` runs in flight on one
// auto-pipelined client (as the Oamserver's own). Then the incident list, with IncidentStore.save.
import { IncidentStore, RunStore } from '@hoptrace/oamserver';
import { buildResult, fireTimes, seededRandom } from './dash-history.mjs';
import { IncidentDeriver } from './dash-incidents.mjs';

/** Incident rules of the seeded config (the Oamserver's defaults). */
export const INCIDENT_RULES = { openAfter: 2, resolveAfter: 3, retentionMs: 7 * 86_400_000 };

/**
 * Writes `runs` classified runs of `probes`, fired over [startMs, endMs], under `keyPrefix`.
 * `shouldStop()` is asked before each run (Ctrl-C). Resolves to what was written.
 */
export async function seedHistory({
  redis,
  keyPrefix,
  probes,
  runs,
  startMs,
  endMs,
  maxRuns,
  concurrency,
  shouldStop,
  log,
}) {
  const store = new RunStore(redis, { keyPrefix, maxRuns });
  const random = seededRandom(20_261_125);
  const times = fireTimes(probes, runs, startMs, endMs, random);
  const deriver = new IncidentDeriver();
  const verdicts = {};
  const outcomes = {};
  let next = 0;
  let done = 0;
  const started = Date.now();
  let lastReport = started;

  // Results are built in firing order (the incident deriver follows them in order); writes overlap.
  const worker = async () => {
    while (next < times.length && !shouldStop()) {
      const { probe, firedAtMs } = times[next++];
      const result = buildResult(probe, firedAtMs, random);
      deriver.observe(result);
      verdicts[result.verdict] = (verdicts[result.verdict] ?? 0) + 1;
      await store.createRun(result.run);
      const outcome = await store.finishRun(result);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      done++;
      const now = Date.now();
      if (now - lastReport >= 5000 || done === times.length) {
        lastReport = now;
        const rate = done / ((now - started) / 1000);
        log(
          `seeding: ${done}/${times.length} runs (${Math.round((100 * done) / times.length)} %, ${Math.round(rate)} runs/s` +
            (done < times.length ? `, about ${Math.ceil((times.length - done) / rate)} s to go)` : ')'),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, times.length) }, worker));
  const runsMs = Date.now() - started;

  const incidentsStarted = Date.now();
  const incidentStore = new IncidentStore(redis, store.keys, INCIDENT_RULES);
  const incidents = deriver.stored();
  for (const incident of incidents) {
    if (shouldStop()) break;
    await incidentStore.save(incident);
  }
  let sameMs = 0;
  for (let i = 1; i < times.length; i++) if (times[i].firedAtMs === times[i - 1].firedAtMs) sameMs++;
  return {
    runs: done,
    stored: outcomes.stored ?? 0,
    notStored: Object.fromEntries(Object.entries(outcomes).filter(([k]) => k !== 'stored')),
    verdicts,
    runsFiredInSameMsAsPrevious: sameMs,
    incidents: { total: incidents.length, open: incidents.filter((i) => i.state === 'open').length },
    runsMs,
    incidentsMs: Date.now() - incidentsStarted,
    runsPerSecond: Math.round(done / (runsMs / 1000)),
    firstFiredAt: new Date(times[0].firedAtMs).toISOString(),
    lastFiredAt: new Date(times.at(-1).firedAtMs).toISOString(),
  };
}
