import {
  jaegerCompareUrl,
  type Incident,
  type IncidentDetail,
  type IncidentTimelineEntry,
  type RunSummary,
} from '@hoptrace/core/api';
import type { RunFinder } from '../store/run-finder';
import type { RunStore } from '../store/run-store';
import { summaryView } from './run-view';

/** Most faulty visits an incident's timeline lists. */
export const MAX_TIMELINE_VISITS = 200;

/** Whether a run's fault is at the incident's place (an instance the run went through, or named). */
export function faultAtPlace(summary: RunSummary, incident: Incident): boolean {
  const fault = summary.fault;
  if (summary.verdict !== incident.kind || !fault || fault.service !== incident.service) return false;
  if (incident.instance === undefined || fault.instance === incident.instance) return true;
  // A fault that names no instance (lost, with no hop left there) counts too: the incident's
  // instance was inferred for such runs (see InstanceSightings).
  return fault.instance === undefined;
}

/** The visit of a faulty run, as a timeline entry. Pure. */
export function visitEntry(summary: RunSummary, incident: Incident): IncidentTimelineEntry {
  const hop = summary.hops.find((h) => h.service === incident.service);
  const entry: IncidentTimelineEntry = { atMs: Date.parse(summary.firedAt), type: 'visit', runId: summary.runId };
  if (summary.verdict) entry.verdict = summary.verdict;
  const instance = hop?.instance ?? summary.fault?.instance;
  if (instance !== undefined) entry.instance = instance;
  const latencyMs = hop?.durationMs ?? summary.totalMs;
  if (latencyMs !== undefined) entry.latencyMs = latencyMs;
  return entry;
}

/**
 * The last ok run of the probe through the incident's place before it started: through its
 * instance when one did, else through the service (an instance that never had an ok run).
 */
async function lastOkThrough(finder: RunFinder, incident: Incident): Promise<RunSummary | undefined> {
  const filter = {
    probe: incident.probe,
    service: incident.service,
    verdicts: ['ok' as const],
    toMs: incident.startedAtMs - 1,
  };
  if (incident.instance !== undefined) {
    const [run] = (await finder.find({ ...filter, instance: incident.instance }, { limit: 1 })).runs;
    if (run) return run;
  }
  return (await finder.find(filter, { limit: 1 })).runs[0];
}

/**
 * GET /api/incidents/:id: the incident, its timeline (opened, each faulty visit still stored,
 * resolved), its example runs (first and latest failure, the last ok run through the place
 * before it started) and Jaeger's comparison of the last ok and the latest failed run.
 */
export async function buildIncidentDetail(
  incident: Incident,
  deps: { store: RunStore; finder: RunFinder; jaegerUiUrl?: string; now?: () => number },
): Promise<IncidentDetail> {
  const now = (deps.now ?? Date.now)();
  const place = { probe: incident.probe, service: incident.service };
  const [visits, lastOk, examples] = await Promise.all([
    deps.finder.find(
      {
        ...place,
        verdicts: [incident.kind],
        fromMs: incident.startedAtMs,
        toMs: incident.resolvedAtMs ?? now,
        where: (s) => faultAtPlace(s, incident),
      },
      { limit: MAX_TIMELINE_VISITS },
    ),
    lastOkThrough(deps.finder, incident),
    deps.store.loadSummaries([incident.exampleRuns[0] ?? '', incident.exampleRuns.at(-1) ?? ''].filter(Boolean)),
  ]);
  const timeline: IncidentTimelineEntry[] = [
    { atMs: incident.openedAtMs, type: 'opened' },
    ...visits.runs.map((s) => visitEntry(s, incident)),
  ];
  if (incident.resolvedAtMs !== undefined) timeline.push({ atMs: incident.resolvedAtMs, type: 'resolved' });
  timeline.sort((a, b) => a.atMs - b.atMs);

  const view = (s: RunSummary | undefined) => (s ? summaryView(s, deps.jaegerUiUrl) : undefined);
  // Stored examples first; when they expired, the oldest and newest visits still stored.
  const firstFailure = view(examples[0] ?? visits.runs.at(-1));
  const latestFailure = view(examples.at(-1) ?? visits.runs[0]);
  const lastOkBefore = view(lastOk);
  const detail: IncidentDetail = {
    incident,
    timeline,
    timelineTruncated: visits.next !== undefined,
    examples: {},
  };
  if (firstFailure) detail.examples.firstFailure = firstFailure;
  if (latestFailure) detail.examples.latestFailure = latestFailure;
  if (lastOkBefore) detail.examples.lastOkBefore = lastOkBefore;
  if (deps.jaegerUiUrl && lastOkBefore && latestFailure) {
    detail.jaegerCompareUrl = jaegerCompareUrl(deps.jaegerUiUrl, lastOkBefore.traceId, latestFailure.traceId);
  }
  return detail;
}
