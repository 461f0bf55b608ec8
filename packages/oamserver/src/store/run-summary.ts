import type { RunCell, RunSummary } from '@hoptrace/core/api';
import type { Fault, RunRecord } from '../classifier/types';
import type { RunResult } from './run-store';

/**
 * The compact form of a run that lists, strips and the flow map are built from (and that is
 * stored next to each result, so a page of runs never reads whole results). Pure.
 */
export function summarizeResult(result: RunResult): RunSummary {
  const summary: RunSummary = {
    runId: result.run.runId,
    probe: result.run.probe,
    traceId: result.run.traceId,
    state: 'done',
    verdict: result.verdict,
    firedAt: new Date(result.run.firedAtMs).toISOString(),
    hops: result.hops.map((h) => {
      const hop: RunSummary['hops'][number] = {
        service: h.service,
        instance: h.instance,
        durationMs: h.durationMs,
        status: h.status,
        expected: h.expected,
        onTrace: h.onTrace,
      };
      const caller = h.callerSpanId === undefined ? undefined : result.hops.find((c) => c.spanId === h.callerSpanId);
      if (caller) hop.caller = caller.service;
      return hop;
    }),
  };
  if (result.facts.totalMs !== undefined) summary.totalMs = result.facts.totalMs;
  if (result.verdict !== 'ok') summary.fault = result.fault ?? unknownFault(result.facts.note);
  if (result.facts.firstMissingHop !== undefined) summary.firstMissingHop = result.facts.firstMissingHop;
  return summary;
}

/** A run still waiting for its verdict. */
export function summarizePending(run: RunRecord): RunSummary {
  return {
    runId: run.runId,
    probe: run.probe,
    traceId: run.traceId,
    state: 'pending',
    firedAt: new Date(run.firedAtMs).toISOString(),
    hops: [],
  };
}

/** `unknown` blames no service of the platform: the fault is hoptrace's own (its storage). */
export function unknownFault(note: string | undefined): Fault {
  return { service: '(hoptrace)', reason: note ?? 'hoptrace could not tell' };
}

/** Where a fault is, in words: `notifier (notifier-1)`, or the service alone. */
export function faultPlace(fault: Fault): string {
  return fault.instance ? `${fault.service} (${fault.instance})` : fault.service;
}

/** One cell of a probe's strip. */
export function runCell(summary: RunSummary): RunCell {
  const cell: RunCell = { runId: summary.runId, state: summary.state, firedAt: summary.firedAt };
  if (summary.verdict) cell.verdict = summary.verdict;
  if (summary.totalMs !== undefined) cell.totalMs = summary.totalMs;
  if (summary.fault) cell.where = faultPlace(summary.fault);
  return cell;
}

/** The places a run touched, for the service and instance indexes: every hop's, and its fault's. */
export function placesOf(summary: RunSummary): { services: string[]; instances: string[] } {
  const services = new Set(summary.hops.map((h) => h.service));
  const instances = new Set(summary.hops.map((h) => h.instance));
  if (summary.fault && summary.verdict !== 'unknown') {
    services.add(summary.fault.service);
    if (summary.fault.instance) instances.add(summary.fault.instance);
  }
  return { services: [...services], instances: [...instances] };
}
