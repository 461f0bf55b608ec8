import type { RunRecord, TriggerOutcome } from '../classifier/types';
import type { RunResult } from '../store/run-store';

/** The result of a run hoptrace could not judge: never blamed on a service. */
export function unknownResult(
  run: RunRecord,
  note: string,
  classifiedAtMs: number,
  trigger?: TriggerOutcome,
): RunResult {
  return {
    run,
    ...(trigger ? { trigger } : {}),
    verdict: 'unknown',
    facts: {
      expectedPath: [...run.path],
      hopsSeen: [],
      missingHops: [...run.path],
      extraHops: [],
      deadlineMs: run.deadlineMs,
      clockSkew: [],
      note,
    },
    hops: [],
    classifiedAtMs,
  };
}
