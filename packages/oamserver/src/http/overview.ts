import type { Incident, IncidentMarker, Overview, OverviewWindow, ProbeOverview, RunSummary } from '@hoptrace/core/api';
import { pathServices } from '../classifier/expected-path';
import { formatDuration } from '../config/duration';
import type { ProbeDefinition } from '../config/probe-config-schema';
import type { IncidentStore } from '../incidents/incident-store';
import { TIMELINE_WINDOWS, type ProbeTimeline } from '../stats/probe-timeline';
import type { RunStore } from '../store/run-store';
import { runCell } from '../store/run-summary';
import { summaryView } from './run-view';

/** What the overview is built from. */
export interface OverviewSources {
  probes: readonly ProbeDefinition[];
  store: RunStore;
  timeline: ProbeTimeline;
  incidents?: IncidentStore;
  jaegerUiUrl?: string;
  now?: () => number;
}

/** Most recent incidents looked at for chart markers. */
const MARKER_INCIDENTS = 200;

/** An incident as a chart marker, when it overlaps [sinceMs, now]. */
function marker(incident: Incident, sinceMs: number): IncidentMarker | undefined {
  if (incident.resolvedAtMs !== undefined && incident.resolvedAtMs < sinceMs) return undefined;
  const out: IncidentMarker = {
    id: incident.id,
    state: incident.state,
    kind: incident.kind,
    service: incident.service,
    startedAtMs: incident.startedAtMs,
  };
  if (incident.instance !== undefined) out.instance = incident.instance;
  if (incident.resolvedAtMs !== undefined) out.resolvedAtMs = incident.resolvedAtMs;
  return out;
}

/** The probe's static part, as the config says. */
function probeHeader(
  probe: ProbeDefinition,
): Pick<ProbeOverview, 'name' | 'description' | 'enabled' | 'every' | 'path' | 'steps' | 'budget'> {
  const header: ReturnType<typeof probeHeader> = {
    name: probe.name,
    enabled: probe.enabled,
    every: formatDuration(probe.every),
    path: pathServices(probe.path),
  };
  if (probe.description !== undefined) header.description = probe.description;
  if (probe.journey) header.steps = probe.steps.map((step) => step.name);
  // A journey's budgets are its steps'.
  const budget = probe.journey ? undefined : probe.steps[0]!.budget;
  if (budget) {
    header.budget = {};
    if (budget.total !== undefined) header.budget.totalMs = budget.total;
    if (budget.hops !== undefined) header.budget.hopsMs = budget.hops;
  }
  return header;
}

/**
 * GET /api/overview: every probe's strip of recent runs, last failure, availability and latency
 * over the window, its chart, and the open incidents. Reads a fixed number of stored summaries
 * per probe (`cells` and one failure) and the in-memory timeline, whatever the history's size.
 * When storage fails, the stored parts are empty and `storage` says `unavailable`.
 */
export async function buildOverview(
  sources: OverviewSources,
  window: OverviewWindow,
  cells: number,
): Promise<Overview> {
  const now = (sources.now ?? Date.now)();
  const sinceMs = now - TIMELINE_WINDOWS[window].spanMs;
  const { store } = sources;
  let storage: Overview['storage'] = 'ok';
  const stored = <T>(read: Promise<T>, fallback: T): Promise<T> =>
    read.catch(() => {
      storage = 'unavailable';
      return fallback;
    });

  const [openIncidents, recentIncidents] = await Promise.all([
    stored(sources.incidents?.list({ state: 'open' }) ?? Promise.resolve([]), []),
    stored(sources.incidents?.list({ state: 'all', limit: MARKER_INCIDENTS }) ?? Promise.resolve([]), []),
  ]);
  const probes = await Promise.all(
    sources.probes.map(async (probe): Promise<ProbeOverview> => {
      const [recent, lastFailure] = await Promise.all([
        stored(latestSummaries(store, store.keys.probeRuns(probe.name), cells), []),
        stored(latestSummaries(store, store.keys.probeFaults(probe.name), 1), []),
      ]);
      const { stats, series } = sources.timeline.window(probe.name, window);
      const overview: ProbeOverview = {
        ...probeHeader(probe),
        stats,
        recent: recent.map(runCell),
        series,
        incidents: recentIncidents
          .filter((i) => i.probe === probe.name)
          .map((i) => marker(i, sinceMs))
          .filter((m): m is IncidentMarker => m !== undefined),
      };
      if (lastFailure[0]) overview.lastFailure = summaryView(lastFailure[0], sources.jaegerUiUrl);
      return overview;
    }),
  );
  return { window, generatedAt: new Date(now).toISOString(), storage, openIncidents, probes };
}

/** The newest `count` runs of an index that are still stored. */
async function latestSummaries(store: RunStore, index: string, count: number): Promise<RunSummary[]> {
  const entries = await store.indexEntries(index, { count });
  const summaries = await store.loadSummaries(entries.map((e) => e.runId));
  return summaries.filter((s): s is RunSummary => s !== undefined);
}
