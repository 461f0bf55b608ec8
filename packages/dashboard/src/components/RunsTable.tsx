import { type RunSummary } from '@hoptrace/core/api';
import { formatDuration } from '../lib/format';
import { runHref } from '../lib/routes';
import { placeLabel, runOutcome } from '../lib/verdicts';
import { InstanceChips } from './InstanceChips';
import { memo } from './memo';
import { TimeText } from './TimeText';
import { VerdictBadge } from './VerdictBadge';

function where(run: RunSummary): string {
  if (run.fault) return placeLabel(run.fault.service, run.fault.instance);
  if (run.firstMissingHop) return run.firstMissingHop;
  return '';
}

/** One row; skipped on re-render while its run is the same object (live lists grow by the frame). */
const RunRow = memo(function RunRow({
  run,
  showProbe,
  fresh,
}: {
  run: RunSummary;
  showProbe: boolean;
  fresh: boolean;
}) {
  return (
    <tr class={fresh ? 'row-fresh' : undefined} data-keep-place="">
      <td class="nowrap">
        <a href={runHref(run.runId)}>
          <TimeText time={run.firedAt} />
          <span class="sr-only">
            : {run.probe} run, {runOutcome(run)}
          </span>
        </a>
      </td>
      {showProbe && <td>{run.probe}</td>}
      <td>
        <VerdictBadge verdict={run.verdict} />
      </td>
      <td class="nowrap" title={run.fault?.reason}>
        {where(run)}
      </td>
      <td class="num">{formatDuration(run.totalMs)}</td>
      <td>
        <InstanceChips hops={run.hops} />
      </td>
      <td class="nowrap">
        {run.jaegerUrl && (
          <a href={run.jaegerUrl} target="_blank" rel="noreferrer" class="ext">
            Jaeger<span class="sr-only"> trace of this run (opens in a new tab)</span>
          </a>
        )}
      </td>
    </tr>
  );
});

/** A table of runs: time, probe, verdict, where, total, hops, Jaeger. */
export function RunsTable({
  runs,
  caption,
  showProbe = true,
  freshIds,
}: {
  runs: readonly RunSummary[];
  caption: string;
  showProbe?: boolean;
  /** Runs that just arrived live (briefly highlighted). */
  freshIds?: ReadonlySet<string>;
}) {
  return (
    <table class="table runs-table">
      <caption class="sr-only">{caption}</caption>
      <colgroup>
        <col class="col-fired" />
        {showProbe && <col class="col-probe" />}
        <col class="col-verdict" />
        <col class="col-where" />
        <col class="col-total" />
        <col class="col-hops" />
        <col class="col-links" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Fired</th>
          {showProbe && <th scope="col">Probe</th>}
          <th scope="col">Verdict</th>
          <th scope="col">Where</th>
          <th scope="col" class="num">
            Total
          </th>
          <th scope="col">Hops</th>
          <th scope="col">
            <span class="sr-only">Links</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <RunRow key={run.runId} run={run} showProbe={showProbe} fresh={freshIds?.has(run.runId) ?? false} />
        ))}
      </tbody>
    </table>
  );
}
