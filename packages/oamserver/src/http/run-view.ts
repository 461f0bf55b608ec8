import { jaegerSpanUrl, jaegerTraceUrl, type RunSummary, type RunView } from '@hoptrace/core/api';
import type { RunRecord } from '../classifier/types';
import type { RunResult, StoredRun } from '../store/run-store';
import { unknownFault } from '../store/run-summary';

export type { RunView } from '@hoptrace/core/api';

/** Jaeger's page for a trace, when JAEGER_UI_URL is set. */
export function jaegerLink(jaegerUiUrl: string | undefined, traceId: string): string | undefined {
  return jaegerUiUrl ? jaegerTraceUrl(jaegerUiUrl, traceId) : undefined;
}

/** What every view of a run starts with: its identity, expected path and budgets. */
function baseView(run: RunRecord, jaegerUiUrl: string | undefined): RunView {
  const view: RunView = {
    probe: run.probe,
    runId: run.runId,
    traceId: run.traceId,
    state: 'pending',
    firedAt: new Date(run.firedAtMs).toISOString(),
    path: run.path,
    hops: [],
  };
  if (run.budget) view.budget = run.budget;
  const link = jaegerLink(jaegerUiUrl, run.traceId);
  if (link) view.jaegerUrl = link;
  return view;
}

/** The view of a classified run. */
export function resultView(result: RunResult, jaegerUiUrl?: string): RunView {
  const view: RunView = {
    ...baseView(result.run, jaegerUiUrl),
    state: 'done',
    verdict: result.verdict,
    classifiedAt: new Date(result.classifiedAtMs).toISOString(),
    hops: jaegerUiUrl
      ? result.hops.map((h) => ({ ...h, jaegerUrl: jaegerSpanUrl(jaegerUiUrl, h.traceId, h.spanId) }))
      : result.hops,
    facts: result.facts,
  };
  if (result.verdict !== 'ok') view.fault = result.fault ?? unknownFault(result.facts.note);
  if (result.trigger) view.trigger = result.trigger;
  if (result.steps) view.steps = result.steps;
  if (result.facts.clockSkew.length > 0) view.clockSkew = result.facts.clockSkew;
  return orderedView(view);
}

/** The view of a stored run, classified or not. */
export function storedView(stored: StoredRun, jaegerUiUrl?: string): RunView {
  if (stored.result) return resultView(stored.result, jaegerUiUrl);
  const view = baseView(stored.run, jaegerUiUrl);
  if (stored.trigger) view.trigger = stored.trigger;
  if (stored.run.steps) {
    // A journey in flight: the steps fired so far, not judged yet.
    view.steps = stored.run.steps.map((plan, index) => {
      const outcome = stored.steps?.[index];
      return {
        name: plan.name,
        path: plan.path,
        ...(plan.cleanup ? { cleanup: true } : {}),
        ...(outcome?.skipped !== undefined ? { skipped: outcome.skipped } : {}),
        ...(outcome?.trigger ? { trigger: outcome.trigger } : {}),
        ...(outcome?.attempts !== undefined ? { attempts: outcome.attempts } : {}),
        ...(outcome?.firedAtMs !== undefined ? { firedAtMs: outcome.firedAtMs } : {}),
      };
    });
  }
  return orderedView(view);
}

/** A summary with its Jaeger link. */
export function summaryView(summary: RunSummary, jaegerUiUrl?: string): RunSummary {
  const link = jaegerLink(jaegerUiUrl, summary.traceId);
  return link ? { ...summary, jaegerUrl: link } : summary;
}

/** The link last, as before: the fields people read first come first in `--json`. */
function orderedView(view: RunView): RunView {
  const { jaegerUrl, ...rest } = view;
  return jaegerUrl === undefined ? rest : { ...rest, jaegerUrl };
}
