import type { Verdict } from '../classifier/types';
import { formatDuration } from '../config/duration';
import type { RunView } from '../http/run-view';
import { style, table } from './style';

/** The verdict, coloured: green ok, yellow unknown or pending, red for faults. */
export function verdictText(verdict: Verdict | undefined): string {
  if (verdict === undefined) return style.yellow('pending');
  if (verdict === 'ok') return style.green('ok');
  if (verdict === 'unknown') return style.yellow('unknown');
  return style.red(verdict);
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : formatDuration(value);
}

/** `lost at notifier (notifier-2)`: the verdict and where. */
export function headline(view: RunView): string {
  const where =
    view.fault && view.verdict !== 'unknown'
      ? ` at ${view.fault.service}${view.fault.instance ? ` (${view.fault.instance})` : ''}` +
        (view.fault.step ? ` in step ${view.fault.step}` : '')
      : '';
  return `${verdictText(view.verdict)}${where}`;
}

/** A run for people: verdict, why, and each hop. */
export function formatRun(view: RunView): string {
  const lines: string[] = [];
  lines.push(`${style.bold(view.probe)}  run ${view.runId}  ${headline(view)}`);
  const total = view.facts?.totalMs;
  const budget = view.facts?.totalBudgetMs;
  lines.push(
    style.dim(
      `  trace ${view.traceId}  fired ${view.firedAt}` +
        (total !== undefined ? `  total ${ms(total)}${budget !== undefined ? ` (budget ${ms(budget)})` : ''}` : ''),
    ),
  );
  if (view.fault) lines.push(`  reason: ${view.fault.reason}`);
  if (view.steps) {
    for (const step of view.steps) {
      const what = step.skipped !== undefined ? style.dim(`skipped: ${step.skipped}`) : verdictText(step.verdict);
      const trigger = step.trigger && !step.trigger.ok ? `  (trigger: ${step.trigger.error ?? 'failed'})` : '';
      const attempts = step.attempts && step.attempts > 1 ? style.dim(`  ${step.attempts} attempts`) : '';
      lines.push(`  step ${step.name}${step.cleanup ? style.dim(' (cleanup)') : ''}: ${what}${attempts}${trigger}`);
    }
  } else if (view.trigger && !view.trigger.ok) lines.push(`  trigger: ${view.trigger.error ?? 'failed'}`);
  const rows = view.hops.map((hop, i) => [
    String(i + 1) + (hop.step ? ` ${hop.step}` : '') + (hop.earlierAttempt ? style.dim(' (earlier attempt)') : ''),
    hop.service + (hop.expected ? '' : style.yellow(' (unexpected)')),
    hop.instance,
    hop.operation,
    ms(hop.durationMs) + (hop.budgetMs !== undefined ? style.dim(` / ${ms(hop.budgetMs)}`) : ''),
    hop.status === 'ok' ? style.green('ok') : style.red(`error${hop.httpStatus ? ` ${hop.httpStatus}` : ''}`),
    hop.onTrace ? '' : style.red('other trace'),
  ]);
  // For `unknown`, no hop could be read: the services are not judged, not missing.
  const unjudged = view.verdict === 'unknown';
  for (const missing of view.facts?.missingHops ?? []) {
    rows.push([
      '-',
      missing,
      style.dim('(no hop)'),
      '',
      '',
      unjudged ? style.dim('not judged') : style.red('missing'),
      '',
    ]);
  }
  if (rows.length > 0) {
    lines.push(
      table(['#', 'SERVICE', 'INSTANCE', 'OPERATION', 'TIME', 'STATUS', ''], rows)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  for (const skew of view.clockSkew ?? []) {
    lines.push(
      style.yellow(
        `  clock skew: ${skew.service} (${skew.instance}) is ${skew.offsetMs > 0 ? 'ahead' : 'behind'} by about ${ms(Math.abs(skew.offsetMs))}`,
      ),
    );
  }
  if (view.jaegerUrl) lines.push(`  jaeger: ${view.jaegerUrl}`);
  return lines.join('\n');
}

/** Recent runs, one line each. */
export function formatRunList(runs: RunView[]): string {
  if (runs.length === 0) return 'no runs yet';
  return table(
    ['FIRED', 'PROBE', 'VERDICT', 'WHERE', 'TOTAL', 'RUN'],
    runs.map((r) => [
      r.firedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      r.probe,
      verdictText(r.verdict),
      r.fault && r.verdict !== 'unknown' ? `${r.fault.service}${r.fault.instance ? ` (${r.fault.instance})` : ''}` : '',
      ms(r.facts?.totalMs),
      r.runId,
    ]),
  );
}
