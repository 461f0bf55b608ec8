import junit from 'junit-report-builder';
import type { RunView } from '@hoptrace/core/api';
import { isFault } from '../classifier/types';

/** What became of one probe in `hoptrace probe --all`. */
export interface ProbeOutcome {
  probe: string;
  /** The classified run; absent when no verdict came (then `problem` says why). */
  view?: RunView;
  /** End-to-end time of the run, ms, when it had one. */
  totalMs?: number;
  /** Why there is no verdict (fired but never classified in time, or could not be fired). */
  problem?: string;
  /** The probe is disabled in the config: reported as skipped, not fired. */
  disabled?: boolean;
  /** The run, formatted for people (the report's system-out). */
  text?: string;
}

/**
 * The JUnit XML of a `hoptrace probe --all` (one test suite named after the config, one test case
 * per probe, classname `hoptrace.<probe>`), for CI systems that gate a deploy on it. A fault of
 * the platform (slow, error, lost, ...) is a `failure`; `unknown`, or no verdict at all (hoptrace
 * could not tell), is an `error`; a disabled probe is `skipped`. Pure: the caller writes the file.
 */
export function junitReport(suiteName: string, outcomes: readonly ProbeOutcome[], timestamp: Date): string {
  const builder = junit.newBuilder();
  const suite = builder.testSuite().name(suiteName).timestamp(timestamp.toISOString());
  for (const outcome of outcomes) {
    const test = suite.testCase().className(`hoptrace.${outcome.probe}`).name(outcome.probe);
    if (outcome.totalMs !== undefined) test.time(outcome.totalMs / 1000);
    if (outcome.text) test.standardOutput(outcome.text);
    const view = outcome.view;
    if (view) {
      test.property('runId', view.runId).property('traceId', view.traceId);
      if (view.jaegerUrl) test.property('jaegerUrl', view.jaegerUrl);
    }
    if (outcome.disabled) {
      test.skipped();
    } else if (!view?.verdict) {
      test.error(outcome.problem ?? 'no verdict', 'no-verdict');
    } else if (view.verdict === 'unknown') {
      test.error(view.fault?.reason ?? 'hoptrace could not tell', 'unknown');
    } else if (isFault(view.verdict)) {
      const where = view.fault
        ? ` at ${view.fault.service}${view.fault.instance ? ` (${view.fault.instance})` : ''}`
        : '';
      test.failure(`${view.verdict}${where}: ${view.fault?.reason ?? ''}`.trim(), view.verdict);
    }
  }
  return builder.build();
}
