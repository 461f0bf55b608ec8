import {
  VERDICTS,
  isFault,
  type FlowEdge,
  type FlowInstance,
  type FlowMap,
  type FlowNode,
  type OverviewWindow,
  type ProbeFlow,
  type RunSummary,
  type Verdict,
} from '@hoptrace/core/api';
import { pathServices } from '../classifier/expected-path';
import type { ProbeDefinition } from '../config/probe-config-schema';
import { TIMELINE_WINDOWS } from '../stats/probe-timeline';
import type { RunStore } from '../store/run-store';

/** Most recent runs per probe the map is built from. */
export const MAP_MAX_RUNS = 300;

/** The worse of two verdicts (later in VERDICTS is worse; unknown never counts). */
function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICTS.indexOf(b) > VERDICTS.indexOf(a) ? b : a;
}

function p95(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

interface Tally {
  count: number;
  faults: number;
  worst: Verdict;
  durations: number[];
}

const tally = (): Tally => ({ count: 0, faults: 0, worst: 'ok', durations: [] });

/**
 * One probe's flow from its recent runs: its expected path as nodes and edges (always drawn,
 * even before any run), each service's instances, the services seen but not expected, and where
 * runs were lost. `unknown` runs are left out: they say nothing about the platform. Pure.
 */
export function buildProbeFlow(probe: string, path: readonly string[], runs: readonly RunSummary[]): ProbeFlow {
  const nodes = new Map<string, { tally: Tally; lost: number; instances: Map<string, Tally> }>();
  const edges = new Map<string, { from: string; to: string; count: number; lost: number; durations: number[] }>();
  const node = (service: string) => {
    let n = nodes.get(service);
    if (!n) nodes.set(service, (n = { tally: tally(), lost: 0, instances: new Map() }));
    return n;
  };
  const edge = (from: string, to: string) => {
    const key = JSON.stringify([from, to]);
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, count: 0, lost: 0, durations: [] }));
    return e;
  };
  for (const service of path) node(service);
  for (let i = 1; i < path.length; i++) edge(path[i - 1]!, path[i]!);

  let considered = 0;
  for (const run of runs) {
    if (run.state !== 'done' || !run.verdict || run.verdict === 'unknown') continue;
    considered++;
    // Counts are of runs: a run that passes a service (or an edge) twice counts once there.
    const once = new Set<string>();
    const first = (key: string): boolean => {
      if (once.has(key)) return false;
      once.add(key);
      return true;
    };
    // The expected path is an order of visits, not a call graph (the gateway may call both the
    // mailbox and the recorder): an expected hop's edge comes from the expected hop visited before
    // it. A hop not in the path hangs from the hop that called it (else the one before it).
    let previousExpected: string | undefined;
    run.hops.forEach((hop, i) => {
      const n = node(hop.service);
      if (first(`s\u0000${hop.service}`)) n.tally.count++;
      n.tally.durations.push(hop.durationMs);
      let instance = n.instances.get(hop.instance);
      if (!instance) n.instances.set(hop.instance, (instance = tally()));
      if (first(`i\u0000${hop.service}\u0000${hop.instance}`)) instance.count++;
      instance.durations.push(hop.durationMs);
      const caller = hop.expected ? previousExpected : (hop.caller ?? run.hops[i - 1]?.service);
      if (hop.expected) previousExpected = hop.service;
      if (caller !== undefined && caller !== hop.service) {
        const e = edge(caller, hop.service);
        if (first(`e\u0000${caller}\u0000${hop.service}`)) e.count++;
        e.durations.push(hop.durationMs);
      }
    });
    const fault = isFault(run.verdict) ? run.fault : undefined;
    if (fault) {
      const n = node(fault.service);
      n.tally.faults++;
      n.tally.worst = worse(n.tally.worst, run.verdict);
      const instance = fault.instance !== undefined ? n.instances.get(fault.instance) : undefined;
      if (instance) {
        instance.faults++;
        instance.worst = worse(instance.worst, run.verdict);
      } else if (fault.instance !== undefined) {
        // Blamed on an instance the run never reached (lost on the way to it): show it too.
        n.instances.set(fault.instance, { count: 0, faults: 1, worst: run.verdict, durations: [] });
      }
    }
    // Lost: the run stopped on the way (an error that stopped it is marked at the failing hop).
    if (run.verdict === 'lost' && run.firstMissingHop !== undefined) {
      const missing = run.firstMissingHop;
      node(missing).lost++;
      const before = path[path.indexOf(missing) - 1];
      if (before !== undefined) edge(before, missing).lost++;
    }
  }

  const expectedEdge = (from: string, to: string): boolean => {
    const i = path.indexOf(from);
    return i >= 0 && path[i + 1] === to;
  };
  return {
    probe,
    path: [...path],
    runs: considered,
    nodes: [...nodes].map(([service, n]): FlowNode => {
      const out: FlowNode = {
        service,
        expected: path.includes(service),
        count: n.tally.count,
        faults: n.tally.faults,
        lost: n.lost,
        worst: n.tally.worst,
        instances: [...n.instances]
          .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
          .map(([instance, t]): FlowInstance => {
            const i: FlowInstance = { instance, count: t.count, faults: t.faults, worst: t.worst };
            const p = p95(t.durations);
            if (p !== undefined) i.p95Ms = p;
            return i;
          }),
      };
      const p = p95(n.tally.durations);
      if (p !== undefined) out.p95Ms = p;
      return out;
    }),
    edges: [...edges.values()].map((e): FlowEdge => {
      const out: FlowEdge = {
        from: e.from,
        to: e.to,
        expected: expectedEdge(e.from, e.to),
        count: e.count,
        lost: e.lost,
      };
      const p = p95(e.durations);
      if (p !== undefined) out.p95Ms = p;
      return out;
    }),
  };
}

/** GET /api/map: each probe's flow over the window (its most recent MAP_MAX_RUNS runs in it). */
export async function buildFlowMap(
  store: RunStore,
  probes: readonly ProbeDefinition[],
  window: OverviewWindow,
  now = Date.now(),
): Promise<FlowMap> {
  const sinceMs = now - TIMELINE_WINDOWS[window].spanMs;
  const flows = await Promise.all(
    probes.map(async (probe) => {
      const entries = await store.indexEntries(store.keys.probeRuns(probe.name), {
        minMs: sinceMs,
        count: MAP_MAX_RUNS,
      });
      const summaries = await store.loadSummaries(entries.map((e) => e.runId));
      return buildProbeFlow(
        probe.name,
        pathServices(probe.path),
        summaries.filter((s): s is RunSummary => s !== undefined),
      );
    }),
  );
  return { window, generatedAt: new Date(now).toISOString(), probes: flows };
}
