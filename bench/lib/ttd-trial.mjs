// One time-to-detect trial: wait for a quiet platform, wait a random phase, make one recorder
// instance slow, time the incident's opening, heal it, time its resolution.
import { loadavg } from 'node:os';
import { PROBE, incidents, oneRun, recentRuns } from './ttd-api.mjs';
import { runCli, setFaults } from './ttd-platform.mjs';

const POLL_MS = 100;
/** The fault under test: a recorder instance answers 400 ms late (its hop budget is 200 ms). */
export const FAULT = { latencyMs: 400 };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `check` every POLL_MS (from the start of one call to the next) until it returns a value. */
async function poll(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = Date.now();
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(Math.max(0, POLL_MS - (Date.now() - started)));
  }
}

const isTarget = (i, instance) =>
  i.probe === PROBE && i.service === 'recorder' && i.instance === instance && i.kind === 'slow';

/**
 * Waits until the last `healthyRuns` classified runs are ok and no incident is open (a warm,
 * quiet platform). Returns how long that took.
 */
export async function waitQuiet(ctx, timeoutMs) {
  const started = Date.now();
  await poll(`a quiet platform (last ${ctx.healthyRuns} runs ok, no open incident)`, timeoutMs, async () => {
    const done = (await recentRuns(ctx.oamserver.url, 30)).filter((r) => r.state === 'done');
    const last = done.slice(0, ctx.healthyRuns);
    if (last.length < ctx.healthyRuns || last.some((r) => r.verdict !== 'ok')) return undefined;
    return (await incidents(ctx.oamserver.url, 'open')).length === 0 ? true : undefined;
  });
  return Date.now() - started;
}

/** Runs one trial; returns its record (see docs/time-to-detect.md for what each field means). */
export async function runTrial(ctx, index) {
  const { oamserver, intervalMs, instances } = ctx;
  const badUrl = ctx.urls.recorder[1];
  const badInstance = 'recorder-2';
  const trial = { index, loadAvg1m: Math.round(loadavg()[0] * 100) / 100 };

  trial.quietWaitMs = await waitQuiet(ctx, Math.max(120_000, intervalMs * 20));
  const quietAt = Date.now();
  // A random phase relative to the probe's schedule (uniform in [0, interval)), plus 0..I-1 whole
  // intervals: a quiet platform is usually reached right after a visit of the bad instance (the
  // one that resolved the previous trial's incident), so without them the bad instance's turn in
  // the round robin would not be random.
  trial.phaseDelayMs = Math.round(Math.random() * intervalMs);
  trial.wholeIntervals = Math.floor(Math.random() * instances);
  await sleep(trial.phaseDelayMs + trial.wholeIntervals * intervalMs);

  // T0: the fault is in force once the PUT is answered.
  const putStartedAt = Date.now();
  await setFaults(badUrl, FAULT);
  const t0 = Date.now();
  trial.t0 = new Date(t0).toISOString();
  trial.putRoundTripMs = t0 - putStartedAt;

  const detectTimeoutMs = intervalMs * instances * (ctx.openAfter + 2) + 30_000;
  let incident;
  try {
    incident = await poll('the incident to open', detectTimeoutMs, async () =>
      (await incidents(oamserver.url, 'open')).find((i) => isTarget(i, badInstance)),
    );
  } catch (error) {
    trial.error = error.message;
  }
  const seenAt = Date.now();
  if (incident) {
    trial.incidentId = incident.id;
    trial.openedBeforeFault = incident.openedAtMs < putStartedAt;
    trial.ttdSeenMs = seenAt - t0;
    trial.ttdOpenedMs = incident.openedAtMs - t0;
    trial.runsAffectedAtOpen = incident.runsAffected;
    trial.reason = incident.reason;
    trial.worstMs = incident.worstMs;
    // The run that opened it is the last of the faulty streak (exampleRuns holds the streak, up to 5).
    const opening = await oneRun(oamserver.url, incident.exampleRuns.at(-1));
    if (opening) {
      trial.openingRun = {
        runId: opening.runId,
        firedAfterT0Ms: opening.firedAtMs - t0,
        classifiedAfterFiredMs: opening.classifiedAtMs - opening.firedAtMs,
        openedAfterClassifiedMs: incident.openedAtMs - opening.classifiedAtMs,
        recorderInstance: opening.recorderInstance,
        recorderMs: opening.recorderMs,
        totalMs: opening.totalMs,
        triggerMs: opening.triggerMs,
      };
    }
    const runs = (await recentRuns(oamserver.url, 200)).reverse();
    const openingFired = opening?.firedAtMs ?? incident.lastSeenAtMs;
    const since = runs.filter((r) => r.firedAtMs >= t0 && r.firedAtMs <= openingFired);
    trial.runsToOpen = since.length;
    trial.badVisitsToOpen = since.filter((r) => r.recorderInstance === badInstance).length;
    // The runs around the fault, for reading a trial by hand: fired offset, recorder instance, verdict.
    trial.timeline = runs
      .filter((r) => r.firedAtMs >= t0 - 2 * intervalMs && r.firedAtMs <= openingFired)
      .map((r) => `${r.firedAtMs - t0}ms ${r.recorderInstance ?? '?'} ${r.verdict ?? r.state}`);
    if (index === 0 && ctx.captureCli) trial.cliOpen = await runCli(oamserver, ['incidents']).catch((e) => e.message);
  }

  // Heal, and time the resolution. Healing right away would tie it to the opening run (the bad
  // instance's next turn would always come I·P after that run): wait a random U[0, I·P) first.
  if (incident && !trial.openedBeforeFault) {
    trial.healDelayMs = Math.round(Math.random() * instances * intervalMs);
    await sleep(trial.healDelayMs);
  }
  const healStartedAt = Date.now();
  await setFaults(badUrl, undefined);
  const t1 = Date.now();
  trial.healRoundTripMs = t1 - healStartedAt;
  if (incident && !trial.openedBeforeFault) {
    const resolveTimeoutMs = intervalMs * instances * (ctx.resolveAfter + 2) + 30_000;
    try {
      const resolved = await poll('the incident to resolve', resolveTimeoutMs, async () =>
        (await incidents(oamserver.url, 'all')).find((i) => i.id === incident.id && i.state === 'resolved'),
      );
      trial.resolveSeenMs = Date.now() - t1;
      trial.resolveResolvedMs = resolved.resolvedAtMs - t1;
      trial.runsAffected = resolved.runsAffected;
      const runs = await recentRuns(oamserver.url, 200);
      const healing = runs.filter((r) => r.firedAtMs >= t1 && r.classifiedAtMs <= resolved.resolvedAtMs);
      trial.runsToResolve = healing.length;
      trial.badVisitsToResolve = healing.filter((r) => r.recorderInstance === badInstance).length;
      // The run that resolved it: the last healthy visit of the bad instance before the resolution.
      const resolving = healing.find((r) => r.recorderInstance === badInstance && r.verdict === 'ok');
      if (resolving) {
        trial.resolvingRun = {
          runId: resolving.runId,
          firedAfterT1Ms: resolving.firedAtMs - t1,
          classifiedAfterFiredMs: resolving.classifiedAtMs - resolving.firedAtMs,
          resolvedAfterFiredMs: resolved.resolvedAtMs - resolving.firedAtMs,
        };
      }
    } catch (error) {
      trial.resolveError = error.message;
    }
  }

  // Incidents other than the one under test that opened during the trial (noise, false alarms).
  const all = await incidents(oamserver.url, 'all');
  trial.otherIncidents = all
    .filter((i) => i.openedAtMs >= quietAt && i.id !== incident?.id)
    .map((i) => ({
      where: `${i.service}${i.instance ? `/${i.instance}` : '/*'}`,
      kind: i.kind,
      openedAfterT0Ms: i.openedAtMs - t0,
      runsAffected: i.runsAffected,
      reason: i.reason,
    }));
  return trial;
}
