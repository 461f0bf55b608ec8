import type { RunResult } from '../store/run-store';

/** Instances of a service not seen for this long are forgotten. */
const FORGET_AFTER_MS = 3_600_000;

/**
 * Remembers when each instance of a service was last seen handling a run well, to name the
 * instance behind a fault that left no hop to name it by (a consumer that drops messages, say):
 * the instance that has gone longest unseen, while the service kept working through its peers
 * since the previous such fault. When every instance has gone quiet, nothing is named: the
 * service as a whole is at fault.
 */
export class InstanceSightings {
  private readonly _seen = new Map<string, Map<string, number>>();
  private readonly _lastUnnamedFault = new Map<string, number>();

  /** Notes the healthy hops of a run. */
  observe(result: RunResult): void {
    if (result.verdict === 'unknown') return;
    const fault = result.verdict === 'ok' ? undefined : result.fault;
    for (const hop of result.hops) {
      if (!hop.onTrace || hop.status !== 'ok') continue;
      if (fault?.service === hop.service && (fault.instance === undefined || fault.instance === hop.instance)) continue;
      const key = `${result.run.probe}|${hop.service}`;
      const instances = this._seen.get(key) ?? new Map<string, number>();
      instances.set(hop.instance, Math.max(instances.get(hop.instance) ?? 0, result.run.firedAtMs));
      this._seen.set(key, instances);
    }
  }

  /** The instance to blame for a fault at `service` that named none, if the sightings say. */
  suspect(probe: string, service: string, faultAtMs: number): string | undefined {
    const key = `${probe}|${service}`;
    const previousFault = this._lastUnnamedFault.get(key) ?? -Infinity;
    this._lastUnnamedFault.set(key, faultAtMs);
    const instances = [...(this._seen.get(key) ?? new Map<string, number>()).entries()].filter(
      ([, at]) => at > faultAtMs - FORGET_AFTER_MS,
    );
    if (instances.length < 2) return undefined;
    instances.sort((a, b) => a[1] - b[1]);
    const [oldest, next] = instances;
    // The service must have worked (through a peer) since the previous unnamed fault, and the
    // suspect must stand out: every peer seen after it.
    const workedSince = instances.some(([, at]) => at > previousFault);
    return workedSince && oldest![1] < next![1] ? oldest![0] : undefined;
  }
}
