// A probe's strip of recent runs, kept up to date from the event stream. Cells are merged, not
// just prepended: a run arrives first as `pending` (from a refetch) and later as classified (from
// the stream); a lost run is classified seconds after younger runs; a refetch overlaps live cells.
import { isFault, type ProbeOverview, type RunCell, type RunSummary } from '@hoptrace/core/api';

/** The strip cell of a classified run. */
export function cellFromRun(run: RunSummary): RunCell {
  const cell: RunCell = { runId: run.runId, state: run.state, firedAt: run.firedAt };
  if (run.verdict) cell.verdict = run.verdict;
  if (run.totalMs !== undefined) cell.totalMs = run.totalMs;
  const service = run.fault?.service ?? (run.verdict === 'lost' ? run.firstMissingHop : undefined);
  if (service && run.verdict !== 'ok')
    cell.where = run.fault?.instance ? `${service} (${run.fault.instance})` : service;
  return cell;
}

function better(a: RunCell, b: RunCell): RunCell {
  // A classified cell wins over a pending one, whatever arrived last.
  if (a.state === 'done' && b.state !== 'done') return a;
  if (b.state === 'done' && a.state !== 'done') return b;
  return b;
}

/**
 * The strip after merging `incoming` cells into `current`: one cell per run, newest fired first,
 * at most `cap` cells (the oldest dropped). Returns `current` itself when nothing changed, so a
 * block whose strip did not change is not redrawn.
 */
export function mergeCells(current: readonly RunCell[], incoming: readonly RunCell[], cap: number): RunCell[] {
  if (incoming.length === 0) return current as RunCell[];
  const byId = new Map<string, RunCell>();
  for (const cell of current) byId.set(cell.runId, cell);
  let changed = false;
  for (const cell of incoming) {
    const old = byId.get(cell.runId);
    const next = old ? better(old, cell) : cell;
    if (next !== old && !(old && sameCell(old, next))) changed = true;
    byId.set(cell.runId, next);
  }
  if (!changed) return current as RunCell[];
  const merged = [...byId.values()].sort(newestFirst).slice(0, cap);
  return sameList(merged, current) ? (current as RunCell[]) : merged;
}

function sameCell(a: RunCell, b: RunCell): boolean {
  return a.state === b.state && a.verdict === b.verdict && a.totalMs === b.totalMs && a.where === b.where;
}

function sameList(a: readonly RunCell[], b: readonly RunCell[]): boolean {
  return a.length === b.length && a.every((cell, i) => cell === b[i]);
}

function newestFirst(a: RunCell, b: RunCell): number {
  const diff = Date.parse(b.firedAt) - Date.parse(a.firedAt);
  return diff !== 0 ? diff : a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

/**
 * The overview's probes after a batch of live runs: each probe's strip gets its runs. Probes with
 * no new run keep their identity (no redraw). Runs of probes not shown are ignored.
 */
export function applyLiveRuns(
  probes: readonly ProbeOverview[],
  runs: readonly RunSummary[],
  cap: number,
): ProbeOverview[] {
  if (runs.length === 0) return probes as ProbeOverview[];
  const byProbe = new Map<string, RunCell[]>();
  for (const run of runs) {
    const list = byProbe.get(run.probe) ?? [];
    list.push(cellFromRun(run));
    byProbe.set(run.probe, list);
  }
  let changed = false;
  const next = probes.map((probe) => {
    const cells = byProbe.get(probe.name);
    if (!cells) return probe;
    const recent = mergeCells(probe.recent, cells, cap);
    const lastFailure = latestFailure(probe.lastFailure, runs, probe.name);
    if (recent === probe.recent && lastFailure === probe.lastFailure) return probe;
    changed = true;
    const updated: ProbeOverview = { ...probe, recent };
    if (lastFailure) updated.lastFailure = lastFailure;
    return updated;
  });
  return changed ? next : (probes as ProbeOverview[]);
}

/** The newest faulty run among the known last failure and the live runs of a probe. */
function latestFailure(
  known: RunSummary | undefined,
  runs: readonly RunSummary[],
  probe: string,
): RunSummary | undefined {
  let latest = known;
  for (const run of runs) {
    if (run.probe !== probe || !run.verdict || !isFault(run.verdict)) continue;
    if (!latest || Date.parse(run.firedAt) > Date.parse(latest.firedAt)) latest = run;
  }
  return latest;
}

/**
 * The overview's probes after a refetch, keeping live cells the refetch does not know yet (they
 * arrived while it was under way), so cells never blink out and back.
 */
export function mergeRefetched(
  previous: readonly ProbeOverview[],
  fresh: readonly ProbeOverview[],
  cap: number,
): ProbeOverview[] {
  const old = new Map(previous.map((p) => [p.name, p]));
  return fresh.map((probe) => {
    const before = old.get(probe.name);
    if (!before) return probe;
    const newest = probe.recent[0] ? Date.parse(probe.recent[0].firedAt) : -Infinity;
    const liveOnly = before.recent.filter((c) => Date.parse(c.firedAt) > newest);
    return liveOnly.length === 0 ? probe : { ...probe, recent: mergeCells(probe.recent, liveOnly, cap) };
  });
}
