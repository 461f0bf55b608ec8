import { type ProbeOverview } from '@hoptrace/core/api';
import { Ago } from '../components/TimeText';
import { LatencyChart } from '../components/LatencyChart';
import { memo } from '../components/memo';
import { RunStrip } from '../components/RunStrip';
import { formatDuration, formatRatio, plural } from '../lib/format';
import { mapHref, runHref } from '../lib/routes';
import { type OverviewWindow } from '@hoptrace/core/api';
import { runsHref } from '../lib/runs-filter';
import { FAULT_VERDICTS, runOutcome } from '../lib/verdicts';

/** One probe on the overview: its strip, availability, latency, last failure and chart. */
export const ProbeBlock = memo(function ProbeBlock({
  probe,
  window,
  slots,
}: {
  probe: ProbeOverview;
  window: OverviewWindow;
  slots: number;
}) {
  const { stats } = probe;
  const titleId = `probe-${probe.name}`;
  return (
    <article class="probe card" aria-labelledby={titleId} data-keep-place="">
      <header class="probe-head">
        <h2 id={titleId} class="probe-name">
          <a href={runsHref({ probe: probe.name })}>{probe.name}</a>
        </h2>
        {probe.steps ? (
          <span
            class="path small"
            aria-label={`a journey of ${probe.steps.length} steps: ${probe.steps.join(', then ')}`}
          >
            journey: {probe.steps.join(' → ')}
          </span>
        ) : (
          <span class="path small" aria-label={`expected path: ${probe.path.join(', then ')}`}>
            {probe.path.join(' → ')}
          </span>
        )}
        <span class="probe-links small">
          <span class="muted">every {probe.every}</span>
          {!probe.enabled && <span class="tag">disabled</span>}
          <a href={mapHref(window, probe.name)}>flow map</a>
          <a href={runsHref({ probe: probe.name, verdicts: [...FAULT_VERDICTS] })}>failures</a>
        </span>
      </header>
      <RunStrip probe={probe.name} cells={probe.recent} slots={slots} />
      <div class="probe-body">
        <dl class="stats">
          <div class="stat">
            <dt>Availability</dt>
            <dd class="stat-big">{formatRatio(stats.okRatio)}</dd>
          </div>
          <div class="stat">
            <dt>p50</dt>
            <dd>{formatDuration(stats.p50Ms)}</dd>
          </div>
          <div class="stat">
            <dt>p95</dt>
            <dd>{formatDuration(stats.p95Ms)}</dd>
          </div>
          <div class="stat">
            <dt>Runs ({window})</dt>
            <dd>
              {stats.count.toLocaleString('en-US')}
              <span class="muted small">
                {' '}
                · {plural(stats.faults, 'fault')}
                {stats.unknown > 0 && ` · ${stats.unknown} not judged`}
              </span>
            </dd>
          </div>
          <div class="stat stat-wide">
            <dt>Last failure</dt>
            <dd>
              {probe.lastFailure ? (
                <>
                  <a href={runHref(probe.lastFailure.runId)}>{runOutcome(probe.lastFailure)}</a>,{' '}
                  <Ago time={probe.lastFailure.firedAt} />
                </>
              ) : (
                <span class="muted">none stored</span>
              )}
            </dd>
          </div>
        </dl>
        <LatencyChart
          probe={probe.name}
          series={probe.series}
          budgetMs={probe.budget?.totalMs}
          incidents={probe.incidents}
        />
      </div>
    </article>
  );
});
