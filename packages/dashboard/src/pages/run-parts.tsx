// The smaller parts of the run page: trigger outcome, clock skew, Jaeger panel, comparison table.
import { jaegerEmbedUrl, type ClockSkew, type RunView, type StepView, type TriggerOutcome } from '@hoptrace/core/api';
import { VerdictBadge } from '../components/VerdictBadge';
import { compareRuns } from '../lib/compare';
import { formatDelta, formatDuration } from '../lib/format';
import { compareHref, runHref } from '../lib/routes';

/** What the built-in triggers are, in words; a plugin's trigger is called by its kind. */
const TRIGGER_WHAT: Partial<Record<string, string>> = {
  http: 'HTTP request',
  redisStream: 'Redis Stream message',
  rabbitmq: 'RabbitMQ message',
  nats: 'NATS message',
};

export function triggerWords(t: TriggerOutcome): string {
  const what = TRIGGER_WHAT[t.kind] ?? `${t.kind} trigger`;
  const took = `(${formatDuration(t.durationMs)})`;
  const detail = t.detail ? `: ${t.detail}` : '';
  if (!t.delivered) return `${what} not delivered${t.error ? `: ${t.error}` : ''} ${took}`;
  const error = !t.ok && t.error ? `: ${t.error}` : '';
  if (t.status === undefined) {
    const verb =
      t.kind === 'redisStream' ? 'added' : t.kind === 'rabbitmq' || t.kind === 'nats' ? 'published' : 'delivered';
    return `${what} ${verb}${t.messageId ? ` as ${t.messageId}` : ''}${detail}${error} ${took}`;
  }
  const expected = t.expectedStatus !== undefined ? `, expected ${t.expectedStatus}` : '';
  return `${what} answered ${t.status}${expected}${detail}${error} ${took}`;
}

export function TriggerLine({ trigger }: { trigger: TriggerOutcome }) {
  return (
    <p class={`trigger ${trigger.ok ? 'status-ok' : 'status-bad'}`}>
      <span aria-hidden="true">{trigger.ok ? '✓ ' : '✕ '}</span>
      <strong>Trigger:</strong> {triggerWords(trigger)}
    </p>
  );
}

/** A journey's steps, in order: each one's verdict (or why it did not run), where its fault is, and its trigger. */
export function JourneySteps({ steps }: { steps: readonly StepView[] }) {
  return (
    <section class="card" aria-labelledby="steps-title">
      <h2 id="steps-title" class="section-title">
        Journey steps
      </h2>
      <ol class="steps-list">
        {steps.map((step) => (
          <li key={step.name}>
            <strong>{step.name}</strong>
            {step.cleanup && <span class="muted small"> (cleanup)</span>}:{' '}
            {step.skipped !== undefined ? (
              <span class="muted">not run: {step.skipped}</span>
            ) : (
              <VerdictBadge verdict={step.verdict} />
            )}
            {step.fault && (
              <span>
                {' '}
                at {step.fault.service}
                {step.fault.instance ? ` (${step.fault.instance})` : ''}: {step.fault.reason}
              </span>
            )}
            {step.attempts !== undefined && step.attempts > 1 && (
              <span class="muted small"> · {step.attempts} attempts</span>
            )}
            {step.trigger && <div class="small muted">Trigger: {triggerWords(step.trigger)}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ClockSkewNotes({ skews }: { skews: readonly ClockSkew[] }) {
  if (skews.length === 0) return null;
  return (
    <div class="notice notice-warn">
      <p class="notice-title">
        <span aria-hidden="true">⚠ </span>Clock skew
      </p>
      <ul>
        {skews.map((s) => (
          <li key={`${s.service}-${s.instance}`}>
            {s.service} ({s.instance})’s clock seems {formatDuration(Math.abs(s.offsetMs))}{' '}
            {s.offsetMs >= 0 ? 'ahead of' : 'behind'} its caller’s. Offsets here come from causal order and durations,
            not from comparing clocks.
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Jaeger next to the waterfall: the trace link, and the embedded trace with the chosen span found. */
export function JaegerPanel({
  run,
  jaegerUiUrl,
  metaKnown,
  spanId,
}: {
  run: RunView;
  jaegerUiUrl: string | undefined;
  metaKnown: boolean;
  spanId: string | undefined;
}) {
  if (!jaegerUiUrl) {
    return (
      <section class="card jaeger-off" aria-labelledby="jaeger-title">
        <h2 id="jaeger-title" class="section-title">
          Trace in Jaeger
        </h2>
        {metaKnown ? (
          <p>
            Jaeger is not configured. Start the Oamserver with <code>JAEGER_UI_URL</code> set to your Jaeger UI (for
            example <code>JAEGER_UI_URL=http://localhost:16686</code>) to get a link per run and per hop and the trace
            embedded here. See docs/jaeger.md in the hoptrace repository. Trace id: <code>{run.traceId}</code>
          </p>
        ) : (
          <p class="muted">Whether Jaeger is configured is unknown: the server’s /api/meta did not answer.</p>
        )}
      </section>
    );
  }
  const src = jaegerEmbedUrl(jaegerUiUrl, run.traceId, spanId);
  const hop = spanId ? run.hops.find((h) => h.spanId === spanId) : undefined;
  return (
    <section class="card jaeger" aria-labelledby="jaeger-title">
      <div class="section-head">
        <h2 id="jaeger-title" class="section-title">
          Trace in Jaeger
        </h2>
        <span class="small muted">
          {hop ? `showing ${hop.service} (${hop.instance})` : 'select a hop to find its span'}
        </span>
        {run.jaegerUrl && (
          <a href={run.jaegerUrl} target="_blank" rel="noreferrer" class="ext small">
            open the trace in Jaeger<span class="sr-only"> (new tab)</span>
          </a>
        )}
      </div>
      <iframe
        class="jaeger-frame"
        src={src}
        title={`Jaeger trace ${run.traceId}${hop ? `, span of ${hop.service} (${hop.instance})` : ''}`}
        loading="lazy"
        referrerpolicy="no-referrer"
      />
    </section>
  );
}

/** This run against the last ok run of its probe, hop by hop. */
export function LastOkTable({ lastOk, run }: { lastOk: RunView; run: RunView }) {
  const rows = compareRuns(lastOk, run);
  return (
    <>
      <p class="small">
        Last ok run: <a href={runHref(lastOk.runId)}>{lastOk.runId}</a> ·{' '}
        <a href={compareHref(lastOk.runId, run.runId)}>open side by side</a>
      </p>
      <table class="table compact">
        <caption class="sr-only">Hop durations: the last ok run against this run</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Last ok</th>
            <th scope="col">This run</th>
            <th scope="col" class="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.service}-${i}`}>
              <th scope="row">
                {r.service}
                {!r.expected && <span class="tag">not expected</span>}
              </th>
              <td>{r.a ? `${r.a.instance} · ${formatDuration(r.a.durationMs)}` : <span class="muted">no hop</span>}</td>
              <td>
                {r.b ? (
                  <>
                    {r.b.instance} · {formatDuration(r.b.durationMs)}
                    {r.b.status === 'error' && <span class="status-bad"> · error</span>}
                  </>
                ) : (
                  <span class="text-bad">no hop</span>
                )}
              </td>
              <td class={`num${r.deltaMs !== undefined && r.deltaMs >= 1 ? ' delta-up' : ''}`}>
                {formatDelta(r.deltaMs)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
