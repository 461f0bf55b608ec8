import { isFault, type RunsCursor, type RunSummary, type Verdict } from '@hoptrace/core/api';
import type { IndexEntry, RunStore } from './run-store';

/** Which runs to find. Every field narrows; none means every stored run. */
export interface RunFilter {
  probe?: string;
  verdicts?: readonly Verdict[];
  /** Runs that went through this service, or whose fault is there. */
  service?: string;
  /** Runs that went through this instance, or whose fault is there. */
  instance?: string;
  /** Fired at or after (epoch ms). */
  fromMs?: number;
  /** Fired at or before (epoch ms). */
  toMs?: number;
  /** A further condition on each run (checked last). */
  where?: (summary: RunSummary) => boolean;
}

/** A page of runs, newest first. */
export interface FoundRuns {
  runs: RunSummary[];
  /** Where the next page starts; undefined when the index is exhausted. */
  next?: RunsCursor;
  /** Index entries examined. */
  scanned: number;
  /** Stopped at `maxScanned` before the page was full: more matches may lie beyond `next`. */
  partial: boolean;
}

/** Most index entries one request examines by default: keeps a rare filter from reading everything. */
export const DEFAULT_MAX_SCANNED = 5000;

/** Whether a run matches the filter (its time is checked by the index range). Pure. */
export function matchesFilter(summary: RunSummary, filter: RunFilter): boolean {
  if (filter.probe !== undefined && summary.probe !== filter.probe) return false;
  if (filter.verdicts && (!summary.verdict || !filter.verdicts.includes(summary.verdict))) return false;
  const fault = summary.verdict === 'unknown' ? undefined : summary.fault;
  if (
    filter.service !== undefined &&
    !summary.hops.some((h) => h.service === filter.service) &&
    fault?.service !== filter.service
  )
    return false;
  if (
    filter.instance !== undefined &&
    !summary.hops.some((h) => h.instance === filter.instance) &&
    fault?.instance !== filter.instance
  )
    return false;
  return filter.where === undefined || filter.where(summary);
}

/**
 * Finds runs by walking the smallest index that covers a filter (a probe's runs, its faults, a
 * verdict, a service, an instance, or every run), newest first, checking each run's stored
 * summary against the rest of the filter. Bounded: one request examines at most `maxScanned`
 * entries and says so (`partial`) with a cursor to go on from.
 */
export class RunFinder {
  constructor(
    private readonly _store: RunStore,
    private readonly _maxScanned = DEFAULT_MAX_SCANNED,
  ) {}

  async find(filter: RunFilter, options: { limit: number; cursor?: RunsCursor }): Promise<FoundRuns> {
    const index = await this._smallestIndex(filter);
    const found: FoundRuns = { runs: [], scanned: 0, partial: false };
    const { limit, cursor } = options;
    // Returns true when the page is full.
    const take = async (entries: IndexEntry[]): Promise<boolean> => {
      const summaries = await this._store.loadSummaries(entries.map((e) => e.runId));
      for (let i = 0; i < entries.length; i++) {
        found.scanned++;
        const summary = summaries[i];
        if (summary && matchesFilter(summary, filter)) found.runs.push(summary);
        if (found.runs.length >= limit || found.scanned >= this._maxScanned) {
          found.next = { firedAtMs: entries[i]!.firedAtMs, runId: entries[i]!.runId };
          found.partial = found.runs.length < limit;
          return true;
        }
      }
      return false;
    };

    let maxMs = filter.toMs;
    let exclusiveMax = false;
    // A cursor before `from` has nothing after it; a cursor past `to` (the filter changed) starts at `to`.
    if (cursor && filter.fromMs !== undefined && cursor.firedAtMs < filter.fromMs) return found;
    if (cursor && (filter.toMs === undefined || cursor.firedAtMs <= filter.toMs)) {
      // Runs fired in the same millisecond as the cursor's: Redis orders them by member,
      // descending, so the ones after the cursor are those whose id sorts below it.
      const ties = await this._store.indexEntries(index, {
        maxMs: cursor.firedAtMs,
        minMs: cursor.firedAtMs,
        count: 1000,
      });
      if (await take(ties.filter((e) => e.runId < cursor.runId))) return found;
      maxMs = cursor.firedAtMs;
      exclusiveMax = true;
    }
    const batch = Math.min(500, Math.max(100, limit * 2));
    for (let offset = 0; ;) {
      const entries = await this._store.indexEntries(index, {
        maxMs,
        exclusiveMax,
        minMs: filter.fromMs,
        offset,
        count: Math.min(batch, this._maxScanned - found.scanned),
      });
      if (entries.length === 0) return found;
      offset += entries.length;
      if (await take(entries)) return found;
    }
  }

  /** The index with the fewest runs in the filter's time range, among those that cover the filter. */
  private async _smallestIndex(filter: RunFilter): Promise<string> {
    const keys = this._store.keys;
    const candidates: string[] = [];
    if (filter.probe !== undefined) candidates.push(keys.probeRuns(filter.probe));
    if (filter.verdicts?.length === 1) candidates.push(keys.runsByVerdict(filter.verdicts[0]!));
    if (filter.probe !== undefined && filter.verdicts?.length && filter.verdicts.every(isFault))
      candidates.push(keys.probeFaults(filter.probe));
    if (filter.service !== undefined) candidates.push(keys.runsByService(filter.service));
    if (filter.instance !== undefined) candidates.push(keys.runsByInstance(filter.instance));
    if (candidates.length === 0) return keys.recentRuns();
    if (candidates.length === 1) return candidates[0]!;
    const counts = await Promise.all(candidates.map((c) => this._store.indexCount(c, filter.fromMs, filter.toMs)));
    let best = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! < counts[best]!) best = i;
    return candidates[best]!;
  }
}
