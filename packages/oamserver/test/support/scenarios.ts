// One realistic run per verdict, classified as the collector would: for the tests of what
// happens after classification (stats, views, exit codes, CLI output).
import type { ClassifyInput, Verdict } from '../../src/classifier/types';
import type { RunResult } from '../../src/store/run-store';
import { TIMEOUT_MS, classifyRun, type ChainOptions } from './hops';

const LATE_MS = TIMEOUT_MS + 250;

function result(classified: ReturnType<typeof classifyRun>): RunResult {
  const { built, ...classification } = classified;
  return {
    ...classification,
    run: built.run,
    trigger: built.trigger,
    classifiedAtMs: built.run.firedAtMs + built.observedWindowMs,
  };
}

/** A classified run for each verdict. */
export const RESULTS: Record<Verdict, () => RunResult> = {
  ok: () => result(classifyRun()),
  slow: () => result(classifyRun({ hops: { recorder: { workMs: 260 } } })),
  error: () =>
    result(
      classifyRun({
        hops: { storage: { status: 'error', httpStatus: 500, errorType: 'Error', errorMessage: 'disk full' } },
        calls: { storage: [] },
      }),
    ),
  lost: () => result(classifyRun({ silent: ['notifier'] }, {}, LATE_MS)),
  'context-broken': () => result(classifyRun({ hops: { notifier: { lostContext: true } } })),
  'unexpected-path': () => result(classifyRun({ calls: { recorder: ['storage', 'transcoder'] } })),
  'trigger-failed': () =>
    result(
      classifyRun(
        { trigger: { ok: false, delivered: false, error: 'POST http://127.0.0.1:7001/calls: ECONNREFUSED' } },
        { hops: [] },
        LATE_MS,
      ),
    ),
  unknown: () => result(classifyRun({}, { hops: undefined }, LATE_MS)),
};

/** Which run of a series a result is: its own id, and when it was fired. */
export interface RunAt {
  runId: string;
  firedAtMs: number;
}

/**
 * A run built and classified as the collector would, then given its own run id and firing time,
 * for tests that feed a series of runs to what comes after classification (incidents, baselines).
 * Runs with missing hops are classified at their deadline.
 */
export function resultAt(at: RunAt, options: ChainOptions = {}, input: Partial<ClassifyInput> = {}): RunResult {
  const missing = (options.silent?.length ?? 0) > 0 || input.hops !== undefined;
  const classified = result(classifyRun(options, input, missing ? LATE_MS : undefined));
  const offsetMs = at.firedAtMs - classified.run.firedAtMs;
  return {
    ...classified,
    run: {
      ...classified.run,
      runId: at.runId,
      firedAtMs: at.firedAtMs,
      deadlineMs: classified.run.deadlineMs + offsetMs,
    },
    classifiedAtMs: classified.classifiedAtMs + offsetMs,
  };
}
