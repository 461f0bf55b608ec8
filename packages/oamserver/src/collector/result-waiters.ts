import type { RunResult } from '../store/run-store';

/**
 * Results remembered for late waiters (10 s of results at 100 runs/s; a waiter comes within the
 * time fire() takes to return). Fixed: results carry their hops, and more would not help.
 */
const MAX_RECENT_RESULTS = 1000;

/**
 * Who waits for which run's result (`Collector.waitForResult`: `POST /api/probes/NAME/runs?wait=1`,
 * `hoptrace probe`), and the results settled lately, so that a waiter who asks after the verdict
 * came still gets it.
 */
export class ResultWaiters {
  /** Results settled lately, oldest first. */
  private readonly _recent = new Map<string, RunResult>();
  private readonly _waiters = new Map<string, ((result: RunResult) => void)[]>();

  /** Whether the run got its result lately. */
  has(runId: string): boolean {
    return this._recent.has(runId);
  }

  /** Resolves with the run's result once it has one, or undefined after `timeoutMs`. */
  wait(runId: string, timeoutMs: number): Promise<RunResult | undefined> {
    const known = this._recent.get(runId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this._waiters.set(
          runId,
          (this._waiters.get(runId) ?? []).filter((w) => w !== done),
        );
        resolve(undefined);
      }, timeoutMs);
      const done = (result: RunResult): void => {
        clearTimeout(timer);
        resolve(result);
      };
      this._waiters.set(runId, [...(this._waiters.get(runId) ?? []), done]);
    });
  }

  /** The run has its result (classified here or elsewhere): remembered, and given to its waiters. */
  settle(result: RunResult): void {
    const runId = result.run.runId;
    this._recent.set(runId, result);
    if (this._recent.size > MAX_RECENT_RESULTS) this._recent.delete(this._recent.keys().next().value as string);
    const waiters = this._waiters.get(runId);
    this._waiters.delete(runId);
    for (const resolve of waiters ?? []) resolve(result);
  }
}
