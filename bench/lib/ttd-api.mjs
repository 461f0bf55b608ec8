// The bits of the Oamserver's HTTP API the time-to-detect bench reads: runs and incidents.

export const PROBE = 'deposit-voicemail';

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Incidents, newest first as the API gives them; `state` is `open` or `all`. */
export async function incidents(serverUrl, state, limit = 200) {
  return (await getJson(`${serverUrl}/api/incidents?state=${state}&limit=${limit}`)).incidents;
}

/**
 * Recent runs of the probe (newest first), each reduced to what the bench needs: when it was fired
 * and classified (epoch ms), its verdict, and the instance and duration of its recorder hop.
 */
export async function recentRuns(serverUrl, limit = 100) {
  const { runs } = await getJson(`${serverUrl}/api/runs?probe=${PROBE}&limit=${limit}`);
  return runs.map(summarizeRun);
}

/** One run, reduced like recentRuns does; undefined when the server does not know it. */
export async function oneRun(serverUrl, runId) {
  const res = await fetch(`${serverUrl}/api/runs/${encodeURIComponent(runId)}`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET /api/runs/${runId} answered ${res.status}`);
  return summarizeRun(await res.json());
}

function summarizeRun(view) {
  const recorder = view.hops?.find((h) => h.service === 'recorder' && h.onTrace !== false);
  return {
    runId: view.runId,
    state: view.state,
    verdict: view.verdict,
    firedAtMs: Date.parse(view.firedAt),
    classifiedAtMs: view.classifiedAt ? Date.parse(view.classifiedAt) : undefined,
    recorderInstance: recorder?.instance,
    recorderMs: recorder ? round1(recorder.durationMs ?? recorder.durationUs / 1000) : undefined,
    // The run end to end on its hops (first hop start to last hop end), and the trigger's round trip.
    totalMs: round1(view.facts?.totalMs),
    triggerMs: round1(view.trigger?.durationMs),
    fault: view.fault ? { service: view.fault.service, instance: view.fault.instance } : undefined,
  };
}

const round1 = (v) => (v === undefined || Number.isNaN(v) ? undefined : Math.round(v * 10) / 10);
