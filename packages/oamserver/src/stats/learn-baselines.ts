import { blames } from '../classifier/types';
import type { RunSummary } from '@hoptrace/core/api';
import type { BaselineStore } from './baselines';

/**
 * Feeds a classified run's healthy hops into the baselines: hops on the run's trace, that did
 * not fail, at a place the verdict does not blame. `unknown` runs teach nothing.
 */
export function learnBaselines(baselines: BaselineStore, result: RunSummary): void {
  if (!result.verdict || result.verdict === 'unknown') return;
  const fault = result.verdict === 'ok' ? undefined : result.fault;
  for (const hop of result.hops) {
    if (!hop.onTrace || hop.status !== 'ok') continue;
    if (blames(fault, hop)) continue;
    baselines.record(result.probe, hop.service, hop.instance, hop.durationMs, Date.parse(result.firedAt));
  }
}
