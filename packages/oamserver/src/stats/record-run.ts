import { blames, isFault } from '../classifier/types';
import type { RunResult } from '../store/run-store';
import type { RollingStats } from './rolling-stats';

/**
 * Feeds one classified run into the rolling statistics: the probe series gets the run (its
 * end-to-end time and whether it was ok, a fault or unknown); each service and instance series
 * gets its hop's duration, counted as a fault when the verdict blames that place.
 */
export function recordRun(stats: RollingStats, result: RunResult): void {
  const atMs = result.run.firedAtMs;
  const outcome = result.verdict === 'unknown' ? 'unknown' : isFault(result.verdict) ? 'fault' : 'ok';
  stats.record({ probe: result.run.probe }, { atMs, outcome, latencyMs: result.facts.totalMs });
  const fault = isFault(result.verdict) ? result.fault : undefined;
  const blamed = new Set<string>();
  for (const hop of result.hops) {
    const atFault = blames(fault, hop);
    const hopOutcome = result.verdict === 'unknown' ? 'unknown' : atFault ? 'fault' : 'ok';
    if (atFault) blamed.add(hop.service);
    stats.record(
      { probe: result.run.probe, service: hop.service },
      { atMs, outcome: hopOutcome, latencyMs: hop.durationMs },
    );
    stats.record(
      { probe: result.run.probe, service: hop.service, instance: hop.instance },
      { atMs, outcome: hopOutcome, latencyMs: hop.durationMs },
    );
  }
  // A fault at a service that left no hop (lost there) still counts against that service.
  if (fault && !blamed.has(fault.service))
    stats.record({ probe: result.run.probe, service: fault.service }, { atMs, outcome: 'fault' });
}
