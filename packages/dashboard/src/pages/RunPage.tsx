import { runSummariesPageSchema, type RunView } from '@hoptrace/core/api';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson } from '../api/client';
import { api } from '../api/endpoints';
import { CopyLinkButton } from '../components/CopyLinkButton';
import { ErrorPanel, Loading } from '../components/ErrorPanel';
import { TimeText } from '../components/TimeText';
import { VerdictBadge } from '../components/VerdictBadge';
import { compareRuns } from '../lib/compare';
import { formatDuration } from '../lib/format';
import { compareHref, runHref } from '../lib/routes';
import { runsApiQuery, runsHref } from '../lib/runs-filter';
import { placeLabel } from '../lib/verdicts';
import { faultHop } from '../lib/waterfall';
import { navigate } from '../router/router';
import { useApi, useLive } from '../state/hooks';
import { useMeta } from '../state/meta';
import { ClockSkewNotes, JaegerPanel, JourneySteps, LastOkTable, TriggerLine } from './run-parts';
import { Waterfall } from './Waterfall';

type LastOk = { state: 'loading' } | { state: 'none' } | { state: 'failed' } | { state: 'found'; run: RunView };

/** The last ok run of the probe fired before this one (two requests: find it, then load it). */
function useLastOk(run: RunView | undefined): LastOk {
  const [result, setResult] = useState<LastOk>({ state: 'loading' });
  const key = run ? `${run.probe}|${run.runId}|${run.firedAt}` : '';
  useEffect(() => {
    if (!run) return;
    const c = new AbortController();
    setResult({ state: 'loading' });
    const before = String(Date.parse(run.firedAt) - 1);
    const query = runsApiQuery({ probe: run.probe, verdicts: ['ok'], to: before, live: false }, { limit: 1 });
    (async () => {
      const page = await getJson(`/api/runs?${query}`, runSummariesPageSchema, c.signal);
      if (!page.ok) return setResult({ state: 'failed' });
      const found = page.data.runs[0];
      if (!found) return setResult({ state: 'none' });
      const full = await getJson(api.run(found.runId).url, api.run(found.runId).schema, c.signal);
      setResult(full.ok ? { state: 'found', run: full.data } : { state: 'failed' });
    })().catch(() => undefined);
    return () => c.abort();
  }, [key]);
  return result;
}

/** `/runs/:id`: the verdict, the waterfall on the expected path, Jaeger, the last ok run, raw JSON. */
export function RunPage({ runId, params }: { runId: string; params: URLSearchParams }) {
  const loaded = useApi(api.run(runId), true);
  const meta = useMeta();
  const run = loaded.data?.runId === runId ? loaded.data : undefined;
  const lastOk = useLastOk(run?.state === 'done' ? run : undefined);

  // A pending run: reload when the stream says it was classified (and every few seconds anyway).
  useLive({ run: (r) => r.runId === runId && run?.state === 'pending' && loaded.reload() });
  useEffect(() => {
    if (run?.state !== 'pending') return;
    const timer = setInterval(loaded.reload, 3000);
    return () => clearInterval(timer);
  }, [run?.state]);

  const deltas = useMemo(() => {
    if (!run || lastOk.state !== 'found') return undefined;
    const map = new Map<string, number>();
    for (const row of compareRuns(lastOk.run, run))
      if (row.b && row.deltaMs !== undefined) map.set(row.b.spanId, row.deltaMs);
    return map;
  }, [run, lastOk]);

  if (!run) {
    if (loaded.failure) {
      return (
        <section class="page">
          <h1>Run {runId}</h1>
          <ErrorPanel failure={loaded.failure} what={`run ${runId}`} onRetry={loaded.reload} />
          <p>
            <a href="/runs">All runs</a>
          </p>
        </section>
      );
    }
    return (
      <section class="page">
        <h1>Run {runId}</h1>
        <Loading what="the run" />
      </section>
    );
  }

  const selected = params.get('hop') ?? undefined;
  const fault = faultHop(run);
  const embedSpan = selected ?? fault?.spanId;
  const skews = run.clockSkew ?? run.facts?.clockSkew ?? [];
  const totalMs = run.facts?.totalMs;
  const totalBudgetMs = run.facts?.totalBudgetMs ?? run.budget?.totalMs;
  const where = run.fault ? placeLabel(run.fault.service, run.fault.instance) : run.facts?.firstMissingHop;
  const select = (spanId: string) => navigate(runHref(run.runId, spanId), { replace: true, keepScroll: true });

  return (
    <section class="page run-page">
      <p class="breadcrumb small">
        <a href={runsHref({ probe: run.probe })}>{run.probe}</a> › run
      </p>
      <div class="page-head">
        <h1 class="run-title">
          <VerdictBadge verdict={run.state === 'pending' ? undefined : run.verdict} large />
          <span>
            {run.probe}
            {where && run.verdict !== 'ok' && run.verdict !== 'unknown' && <span class="run-where"> at {where}</span>}
          </span>
        </h1>
        <div class="page-actions">
          <CopyLinkButton />
          {lastOk.state === 'found' && (
            <a class="button" href={compareHref(lastOk.run.runId, run.runId)}>
              Compare with last ok
            </a>
          )}
          {run.jaegerUrl && (
            <a class="button ext" href={run.jaegerUrl} target="_blank" rel="noreferrer">
              Trace in Jaeger<span class="sr-only"> (new tab)</span>
            </a>
          )}
        </div>
      </div>
      {run.fault && (
        <p class="reason">
          <strong>Why:</strong> {run.fault.reason}
        </p>
      )}
      {run.state === 'pending' && (
        <p class="notice notice-info" role="status">
          This run is still being watched: hops may still arrive. The page updates when it is classified.
        </p>
      )}
      {run.verdict === 'unknown' && (
        <p class="notice notice-info">
          hoptrace could not judge this run{run.facts?.note ? `: ${run.facts.note}` : ''}. Nobody is blamed.
        </p>
      )}
      <dl class="facts">
        <div>
          <dt>Fired</dt>
          <dd>
            <TimeText time={run.firedAt} full />
          </dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>
            {formatDuration(totalMs)}
            {totalBudgetMs !== undefined && <span class="muted"> / {formatDuration(totalBudgetMs)} budget</span>}
          </dd>
        </div>
        <div>
          <dt>Run id</dt>
          <dd>
            <code>{run.runId}</code>
          </dd>
        </div>
        <div>
          <dt>Trace id</dt>
          <dd>
            <code>{run.traceId}</code>
          </dd>
        </div>
      </dl>
      {run.trigger && !run.steps && <TriggerLine trigger={run.trigger} />}
      {run.steps && <JourneySteps steps={run.steps} />}
      <ClockSkewNotes skews={skews} />
      <section class="card" aria-labelledby="wf-title">
        <div class="section-head">
          <h2 id="wf-title" class="section-title">
            Hops along the expected path
          </h2>
          <span class="small muted">
            {run.facts?.expectedPathText ?? (run.path ?? run.facts?.expectedPath ?? []).join(' → ')}
          </span>
        </div>
        <Waterfall run={run} selected={selected ?? fault?.spanId} onSelect={select} deltas={deltas} />
      </section>
      <JaegerPanel run={run} jaegerUiUrl={meta.data?.jaegerUiUrl} metaKnown={Boolean(meta.data)} spanId={embedSpan} />
      <section class="card" aria-labelledby="lastok-title">
        <h2 id="lastok-title" class="section-title">
          Compared with the last ok run of this probe
        </h2>
        {run.state === 'pending' && <p class="muted">Once the run is classified.</p>}
        {run.state === 'done' && lastOk.state === 'loading' && <Loading what="the last ok run" />}
        {lastOk.state === 'none' && <p class="muted">No ok run of {run.probe} is stored before this one.</p>}
        {lastOk.state === 'failed' && <p class="muted">The last ok run could not be loaded.</p>}
        {lastOk.state === 'found' && <LastOkTable lastOk={lastOk.run} run={run} />}
      </section>
      <details class="raw">
        <summary>Raw JSON</summary>
        <pre>{JSON.stringify(run, null, 2)}</pre>
      </details>
    </section>
  );
}
