// The runs page in live mode: new runs go on top of the list. Kept pure for the tests.
import { encodeRunsCursor, type RunSummary } from '@hoptrace/core/api';

export interface RunList {
  runs: RunSummary[];
  /** Cursor of the page after the last row (what "Older runs" asks for). */
  next?: string;
}

function newestFirst(a: RunSummary, b: RunSummary): number {
  const diff = Date.parse(b.firedAt) - Date.parse(a.firedAt);
  return diff !== 0 ? diff : a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

/**
 * The list with `incoming` runs in it: runs already listed are replaced in place (a pending run
 * classified), new ones go on top, newest first. Past `cap` rows the oldest are dropped and the
 * cursor moves to the last row kept, so "Older runs" still continues exactly where the list ends.
 */
export function insertLiveRuns(list: RunList, incoming: readonly RunSummary[], cap: number): RunList {
  const byId = new Map(incoming.map((r) => [r.runId, r]));
  const runs = list.runs.map((r) => {
    const update = byId.get(r.runId);
    if (!update) return r;
    byId.delete(r.runId);
    return update;
  });
  const added = [...byId.values()].sort(newestFirst);
  const merged = [...added, ...runs];
  if (merged.length <= cap) return list.next ? { runs: merged, next: list.next } : { runs: merged };
  const kept = merged.slice(0, cap);
  const last = kept[kept.length - 1]!;
  return { runs: kept, next: encodeRunsCursor({ firedAtMs: Date.parse(last.firedAt), runId: last.runId }) };
}

/** Runs waiting to be shown (the user is reading further down), newest first, at most `cap`. */
export function queueRuns(waiting: readonly RunSummary[], incoming: readonly RunSummary[], cap: number): RunSummary[] {
  const byId = new Map(waiting.map((r) => [r.runId, r]));
  for (const r of incoming) byId.set(r.runId, r);
  return [...byId.values()].sort(newestFirst).slice(0, cap);
}
