import { blames } from '../classifier/types';
import type { RunResult } from '../store/run-store';

/** Instances of a service not seen for this long are forgotten. */
const FORGET_AFTER_MS = 3_600_000;

/** Where a fault that named no instance belongs: one instance, the whole service, or unclear. */
export type Suspect = { instance: string } | 'service' | undefined;

/**
 * Remembers when each instance of a service was last seen handling a run well, to place a
 * fault that left no hop to name its instance by (a consumer that drops messages, say):
 * - one instance known: it is the one;
 * - faults with no healthy run of the service in between, many times in a row (at least 3, and
 *   twice the number of instances): the service as a whole is down;
 * - otherwise the instance that has gone longest unseen, when one clearly has; else unclear
 *   (the run then says nothing about instances).
 * A first guess can be wrong (the bad instance is not yet the longest unseen); the next healthy
 * run of the wrongly named instance clears it, so with `openAfter` of 2 or more it does not open.
 */
export class InstanceSightings {
  private readonly _seen = new Map<string, Map<string, number>>();
  /** Faults in a row, with no healthy run of the service in between. */
  private readonly _unnamedStreak = new Map<string, number>();

  /** Notes the healthy hops of a run. */
  observe(result: RunResult): void {
    if (result.verdict === 'unknown') return;
    const fault = result.verdict === 'ok' ? undefined : result.fault;
    for (const hop of result.hops) {
      if (!hop.onTrace || hop.status !== 'ok') continue;
      if (blames(fault, hop)) continue;
      const key = `${result.run.probe}|${hop.service}`;
      const instances = this._seen.get(key) ?? new Map<string, number>();
      instances.set(hop.instance, Math.max(instances.get(hop.instance) ?? 0, result.run.firedAtMs));
      this._seen.set(key, instances);
      this._unnamedStreak.set(key, 0);
    }
  }

  /** Where a fault at `service` that named no instance belongs (see the class comment). */
  suspect(probe: string, service: string, faultAtMs: number): Suspect {
    const key = `${probe}|${service}`;
    const streak = (this._unnamedStreak.get(key) ?? 0) + 1;
    this._unnamedStreak.set(key, streak);
    const instances = [...(this._seen.get(key) ?? new Map<string, number>()).entries()].filter(
      ([, at]) => at > faultAtMs - FORGET_AFTER_MS,
    );
    if (instances.length === 0) return 'service';
    if (instances.length === 1) return { instance: instances[0]![0] };
    if (streak >= Math.max(3, 2 * instances.length)) return 'service';
    instances.sort((a, b) => a[1] - b[1]);
    const [oldest, next] = instances;
    return oldest![1] < next![1] ? { instance: oldest![0] } : undefined;
  }
}
