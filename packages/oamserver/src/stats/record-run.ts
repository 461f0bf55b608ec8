import { blames, isFault } from '../classifier/types';
import type { RunSummary } from '@hoptrace/core/api';
import type { RollingStats } from './rolling-stats';
import type { Sample } from './windowed-histogram';

/** A classified run as one sample of its probe: when, how it went, and its end-to-end time. */
export function runSample(run: RunSummary): Sample | undefined {
  if (!run.verdict) return undefined;
  const outcome = run.verdict === 'unknown' ? 'unknown' : isFault(run.verdict) ? 'fault' : 'ok';
  return { atMs: Date.parse(run.firedAt), outcome, latencyMs: run.totalMs };
}

/**
 * Feeds one classified run (its summary) into the rolling statistics: the probe series gets the run (its
 * end-to-end time and whether it was ok, a fault or unknown); each service and instance series
 * gets its hop's duration, counted as a fault when the verdict blames that place.
 */
export function recordRun(stats: RollingStats, result: RunSummary): void {
  const sample = runSample(result);
  if (!sample || !result.verdict) return;
  const atMs = sample.atMs;
  stats.record({ probe: result.probe }, sample);
  const fault = isFault(result.verdict) ? result.fault : undefined;
  const blamed = new Set<string>();
  for (const hop of result.hops) {
    const atFault = blames(fault, hop);
    const hopOutcome = result.verdict === 'unknown' ? 'unknown' : atFault ? 'fault' : 'ok';
    if (atFault) blamed.add(hop.service);
    stats.record(
      { probe: result.probe, service: hop.service },
      { atMs, outcome: hopOutcome, latencyMs: hop.durationMs },
    );
    stats.record(
      { probe: result.probe, service: hop.service, instance: hop.instance },
      { atMs, outcome: hopOutcome, latencyMs: hop.durationMs },
    );
  }
  // A fault at a service that left no hop (lost there) still counts against that service.
  if (fault && !blamed.has(fault.service))
    stats.record({ probe: result.probe, service: fault.service }, { atMs, outcome: 'fault' });
}
