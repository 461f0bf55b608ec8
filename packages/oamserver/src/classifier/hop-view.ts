import type { HopRecord } from '@hoptrace/core';
import type { HopView, RunRecord } from './types';

/** The hop as reported to people and the API: milliseconds, and how it relates to the run. */
export function toHopView(hop: HopRecord, run: RunRecord): HopView {
  const view: HopView = {
    service: hop.service,
    instance: hop.instance,
    operation: hop.operation,
    kind: hop.kind,
    status: hop.status,
    durationMs: hop.durationUs / 1000,
    startMs: hop.startUs / 1000,
    traceId: hop.traceId,
    spanId: hop.spanId,
    expected: run.path.includes(hop.service),
    onTrace: hop.traceId === run.traceId,
  };
  if (hop.parentSpanId !== undefined) view.parentSpanId = hop.parentSpanId;
  if (hop.queueWaitUs !== undefined) view.queueWaitMs = hop.queueWaitUs / 1000;
  if (hop.httpStatus !== undefined) view.httpStatus = hop.httpStatus;
  if (hop.errorType !== undefined) view.errorType = hop.errorType;
  if (hop.errorMessage !== undefined) view.errorMessage = hop.errorMessage;
  const budget = run.budget?.hopsMs?.[hop.service];
  if (budget !== undefined) view.budgetMs = budget;
  return view;
}
