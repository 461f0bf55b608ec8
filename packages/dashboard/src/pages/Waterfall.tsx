import { formatDelta, formatDuration } from '../lib/format';
import { buildWaterfall, type GhostRow, type HopRow, type WaterfallModel } from '../lib/waterfall';
import { type RunView } from '@hoptrace/core/api';
import { useMemo } from 'preact/hooks';

interface Props {
  run: RunView;
  /** The selected hop's span id (`?hop=`). */
  selected?: string | undefined;
  onSelect: (spanId: string) => void;
  /** Duration deltas against the last ok run, by span id. */
  deltas?: ReadonlyMap<string, number> | undefined;
}

function Axis({ model }: { model: WaterfallModel }) {
  return (
    <div class="wf-axis" aria-hidden="true">
      {model.ticks.map((t) => (
        <span key={t.ms} class="wf-tick" style={{ left: `${t.pct}%` }}>
          {formatDuration(t.ms)}
        </span>
      ))}
    </div>
  );
}

function Guides({ model }: { model: WaterfallModel }) {
  return (
    <>
      {model.ticks.map((t) => (
        <span key={t.ms} class="wf-grid" style={{ left: `${t.pct}%` }} aria-hidden="true" />
      ))}
      {model.totalPct !== undefined && (
        <span class="wf-total" style={{ left: `${model.totalPct}%` }} aria-hidden="true" />
      )}
      {model.totalBudgetPct !== undefined && (
        <span class="wf-total-budget" style={{ left: `${model.totalBudgetPct}%` }} aria-hidden="true" />
      )}
    </>
  );
}

/** What a duplicate hop is, for its tag's title and for screen readers. */
const DUPLICATE_TITLE =
  'a second hop from this service for the same call (a replayed token?) — not counted in the verdict';

function hopFlags(row: HopRow): string[] {
  const flags: string[] = [];
  if (row.duplicate) flags.push('duplicate');
  if (row.atFault) flags.push('at fault');
  if (row.unexpected) flags.push('not in the expected path');
  if (row.offTrace) flags.push('arrived off-trace (under another trace)');
  if (row.offsetEstimated) flags.push('start estimated from wall clocks');
  return flags;
}

function HopLine({
  row,
  model,
  selected,
  onSelect,
  delta,
}: {
  row: HopRow;
  model: WaterfallModel;
  selected: boolean;
  onSelect: (spanId: string) => void;
  delta: number | undefined;
}) {
  const { hop, bar, limit } = row;
  const flags = hopFlags(row);
  const queueStart = hop.queueWaitMs ? Math.max(0, row.offsetMs - hop.queueWaitMs) : undefined;
  const classes = [
    'wf-row',
    'wf-hop',
    selected ? 'selected' : '',
    row.atFault ? 'at-fault' : '',
    row.unexpected ? 'unexpected' : '',
    row.offTrace ? 'offtrace' : '',
    row.duplicate ? 'duplicate' : '',
    hop.status === 'error' ? 'failed' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const statusText =
    hop.status === 'error'
      ? `error${hop.httpStatus ? ` ${hop.httpStatus}` : ''}`
      : `ok${hop.httpStatus ? ` ${hop.httpStatus}` : ''}`;
  return (
    <li class={classes} title={row.duplicate ? DUPLICATE_TITLE : undefined} onClick={() => onSelect(hop.spanId)}>
      <span class="wf-pos" aria-hidden="true">
        {row.position ?? '+'}
      </span>
      <div class="wf-name">
        <button
          type="button"
          class="wf-select"
          aria-pressed={selected}
          onClick={(e) => {
            e.stopPropagation();
            onSelect(hop.spanId);
          }}
        >
          {row.step !== undefined && <span class="wf-step">{row.step}</span>}
          <span class="wf-service">{hop.service}</span> <span class="wf-instance">{hop.instance}</span>
          {hop.earlierAttempt && <span class="muted small"> (earlier attempt)</span>}
          <span class="sr-only">
            , {hop.operation}, started {formatDuration(row.offsetMs)} after firing, took{' '}
            {formatDuration(hop.durationMs)}
            {limit ? ` against a ${limit.kind} of ${formatDuration(limit.ms)}` : ''}, {statusText}
            {flags.length > 0
              ? `, ${flags.map((f) => (f === 'duplicate' ? `duplicate: ${DUPLICATE_TITLE}` : f)).join(', ')}`
              : ''}
          </span>
        </button>
        <span class="wf-op" title={hop.operation}>
          {hop.kind === 'consumer' ? '⇢ ' : ''}
          {hop.operation}
        </span>
        {flags.length > 0 && (
          <span class="wf-flags" aria-hidden="true">
            {flags.map((f) => (
              <span
                key={f}
                class={`flag${f === 'at fault' ? ' flag-fault' : f === 'duplicate' ? ' flag-duplicate' : ''}`}
                title={f === 'duplicate' ? DUPLICATE_TITLE : undefined}
              >
                {f}
              </span>
            ))}
          </span>
        )}
      </div>
      <div class="wf-track" aria-hidden="true">
        <Guides model={model} />
        {queueStart !== undefined && (
          <span
            class="wf-queue"
            title={`waited ${formatDuration(hop.queueWaitMs)} in the queue`}
            style={{
              left: `${(queueStart / model.scaleMs) * 100}%`,
              width: `${bar.startPct - (queueStart / model.scaleMs) * 100}%`,
            }}
          />
        )}
        <span
          class={`wf-bar${hop.status === 'error' ? ' wf-bar-error' : ''}`}
          style={{ left: `${bar.startPct}%`, width: `max(2px, ${bar.widthPct}%)` }}
        />
        {bar.over && <span class="wf-over" style={{ left: `${bar.over.startPct}%`, width: `${bar.over.widthPct}%` }} />}
        {bar.limitPct !== undefined && (
          <span
            class={`wf-limit wf-limit-${limit!.kind}`}
            style={{ left: `${bar.limitPct}%` }}
            title={`${limit!.kind} ${formatDuration(limit!.ms)}`}
          />
        )}
      </div>
      <div class="wf-time">
        <span class={limit?.overMs !== undefined ? 'text-bad strong' : undefined}>
          {formatDuration(hop.durationMs)}
        </span>
        {limit && (
          <span class="muted">
            {limit.kind === 'budget'
              ? ` / ${formatDuration(limit.ms)} budget`
              : ` · slow above ${formatDuration(limit.ms)}`}
          </span>
        )}
        {limit?.overMs !== undefined && <span class="over-text"> +{formatDuration(limit.overMs)} over</span>}
        {delta !== undefined && (
          <span class={`delta${delta >= 1 ? ' delta-up' : ''}`} title="compared with the last ok run of this probe">
            {formatDelta(delta)} vs ok
          </span>
        )}
      </div>
      <div class="wf-status">
        <span class={hop.status === 'error' ? 'status-bad' : 'status-ok'}>
          <span aria-hidden="true">{hop.status === 'error' ? '✕ ' : '✓ '}</span>
          {statusText}
        </span>
        {hop.jaegerUrl && (
          <a
            href={hop.jaegerUrl}
            target="_blank"
            rel="noreferrer"
            class="small ext"
            onClick={(e) => e.stopPropagation()}
          >
            span<span class="sr-only"> of {hop.service} in Jaeger (opens in a new tab)</span>
          </a>
        )}
      </div>
      {(hop.errorType || hop.errorMessage) && (
        <p class="wf-error">
          <strong>{hop.errorType ?? 'Error'}</strong>
          {hop.errorMessage ? `: ${hop.errorMessage}` : ''}
        </p>
      )}
    </li>
  );
}

function GhostLine({ row }: { row: GhostRow }) {
  return (
    <li class={`wf-row wf-ghost${row.atFault ? ' at-fault' : ''}`}>
      <span class="wf-pos" aria-hidden="true">
        {row.position}
      </span>
      <div class="wf-name">
        {row.step !== undefined && <span class="wf-step">{row.step}</span>}
        <span class="wf-service">{row.service}</span> <span class="muted">(no hop)</span>
      </div>
      <div class="wf-ghost-reason">
        <span aria-hidden="true">⊘ </span>
        {row.reason}
      </div>
    </li>
  );
}

/**
 * The run as a waterfall on its expected path: a row per expected service in order, its hop's
 * start and duration on a shared axis (time after firing), the part over its budget hatched, and
 * a dashed ghost row for every expected hop that never arrived.
 */
export function Waterfall({ run, selected, onSelect, deltas }: Props) {
  const model = useMemo(() => buildWaterfall(run), [run]);
  return (
    <div class="waterfall">
      <div class="wf-head" aria-hidden="true">
        <span class="wf-pos">#</span>
        <span class="wf-name">service · instance · operation</span>
        <Axis model={model} />
        <span class="wf-time">time</span>
        <span class="wf-status">status</span>
      </div>
      <ol class="wf-rows" aria-label={`Hops of this run along the expected path ${model.path.join(', ')}`}>
        {model.rows.map((row) =>
          row.kind === 'ghost' ? (
            <GhostLine key={row.key} row={row} />
          ) : (
            <HopLine
              key={row.key}
              row={row}
              model={model}
              selected={selected === row.hop.spanId}
              onSelect={onSelect}
              delta={deltas?.get(row.hop.spanId)}
            />
          ),
        )}
      </ol>
      <p class="muted small wf-legend">
        Bars start at the hop’s offset after the run was fired (hosts’ clocks corrected) and last its duration.{' '}
        <span class="key key-over">over budget</span> <span class="key key-limit">limit</span>{' '}
        {model.totalPct !== undefined && <span class="key key-total">run total</span>}{' '}
        {model.totalBudgetPct !== undefined && <span class="key key-total-budget">run budget</span>}
        {model.offsetsEstimated && ' Some starts are estimated from wall clocks.'}
        {model.rows.some((r) => r.kind === 'hop' && r.duplicate) && (
          <span>
            <span class="flag flag-duplicate">duplicate</span> greyed rows: a second hop from the same service for the
            same call (a replayed token?), or one it caused; not counted in the verdict.
          </span>
        )}
      </p>
    </div>
  );
}
