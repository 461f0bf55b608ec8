import type { ClockSkew, Fault, HopView, TriggerOutcome, Verdict, VerdictFacts } from '../classifier/types';
import type { RunResult, StoredRun } from '../store/run-store';

/** A run as the API and the CLI show it (`--json`). */
export interface RunView {
  probe: string;
  runId: string;
  traceId: string;
  /** `pending` until classified. */
  state: 'pending' | 'done';
  verdict?: Verdict;
  firedAt: string;
  classifiedAt?: string;
  /** Where the fault is, for any verdict other than ok. */
  fault?: Fault;
  hops: HopView[];
  facts?: VerdictFacts;
  trigger?: TriggerOutcome;
  clockSkew?: ClockSkew[];
  /** Link to the run's trace in Jaeger, when JAEGER_UI_URL is set. */
  jaegerUrl?: string;
}

/** Jaeger's page for a trace. */
export function jaegerLink(jaegerUiUrl: string | undefined, traceId: string): string | undefined {
  return jaegerUiUrl ? `${jaegerUiUrl.replace(/\/+$/, '')}/trace/${traceId}` : undefined;
}

/** The view of a classified run. */
export function resultView(result: RunResult, jaegerUiUrl?: string): RunView {
  const view: RunView = {
    probe: result.run.probe,
    runId: result.run.runId,
    traceId: result.run.traceId,
    state: 'done',
    verdict: result.verdict,
    firedAt: new Date(result.run.firedAtMs).toISOString(),
    classifiedAt: new Date(result.classifiedAtMs).toISOString(),
    hops: result.hops,
    facts: result.facts,
  };
  if (result.verdict !== 'ok') {
    // `unknown` blames no service of the platform: the fault is hoptrace's own (its storage).
    view.fault = result.fault ?? { service: '(hoptrace)', reason: result.facts.note ?? 'hoptrace could not tell' };
  }
  if (result.trigger) view.trigger = result.trigger;
  if (result.facts.clockSkew.length > 0) view.clockSkew = result.facts.clockSkew;
  const link = jaegerLink(jaegerUiUrl, result.run.traceId);
  if (link) view.jaegerUrl = link;
  return view;
}

/** The view of a stored run, classified or not. */
export function storedView(stored: StoredRun, jaegerUiUrl?: string): RunView {
  if (stored.result) return resultView(stored.result, jaegerUiUrl);
  const view: RunView = {
    probe: stored.run.probe,
    runId: stored.run.runId,
    traceId: stored.run.traceId,
    state: 'pending',
    firedAt: new Date(stored.run.firedAtMs).toISOString(),
    hops: [],
  };
  if (stored.trigger) view.trigger = stored.trigger;
  const link = jaegerLink(jaegerUiUrl, stored.run.traceId);
  if (link) view.jaegerUrl = link;
  return view;
}
