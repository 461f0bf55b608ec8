import { useState } from 'preact/hooks';
import { api } from '../api/endpoints';
import { ErrorPanel, Loading } from '../components/ErrorPanel';
import { TimeText } from '../components/TimeText';
import { VerdictBadge } from '../components/VerdictBadge';
import { compareRuns, type CompareSide } from '../lib/compare';
import { formatDelta, formatDuration } from '../lib/format';
import { compareHref, runHref } from '../lib/routes';
import { placeLabel } from '../lib/verdicts';
import { navigate } from '../router/router';
import { useApi } from '../state/hooks';
import { type RunView } from '@hoptrace/core/api';

/** A run id from what was pasted: an id, or a dashboard or API URL ending in one. */
function runIdFrom(text: string): string {
  const trimmed = text.trim();
  const match = /\/runs\/([^/?#]+)/.exec(trimmed);
  return match ? decodeURIComponent(match[1]!) : trimmed;
}

function CompareForm({ a, b }: { a: string; b: string }) {
  const [draft, setDraft] = useState({ a, b });
  return (
    <form
      class="card compare-form"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(compareHref(runIdFrom(draft.a), runIdFrom(draft.b)));
      }}
    >
      <label class="field">
        <span>Run A (id or link)</span>
        <input
          type="text"
          value={draft.a}
          size={34}
          required
          onInput={(e) => setDraft({ ...draft, a: (e.target as HTMLInputElement).value })}
        />
      </label>
      <label class="field">
        <span>Run B (id or link)</span>
        <input
          type="text"
          value={draft.b}
          size={34}
          required
          onInput={(e) => setDraft({ ...draft, b: (e.target as HTMLInputElement).value })}
        />
      </label>
      <button type="submit" class="button primary">
        Compare
      </button>
    </form>
  );
}

function RunHead({ label, run }: { label: string; run: RunView }) {
  return (
    <div class="compare-head card">
      <p class="small muted">{label}</p>
      <p>
        <VerdictBadge verdict={run.verdict} />{' '}
        {run.fault && run.verdict !== 'ok' && <span>at {placeLabel(run.fault.service, run.fault.instance)} </span>}
      </p>
      <p>
        <a href={runHref(run.runId)}>{run.probe}</a> · <TimeText time={run.firedAt} full /> · total{' '}
        {formatDuration(run.facts?.totalMs)}
      </p>
      {run.fault && <p class="small">{run.fault.reason}</p>}
    </div>
  );
}

function Side({ side }: { side: CompareSide | undefined }) {
  if (!side) return <td class="text-bad">no hop</td>;
  return (
    <td>
      {side.instance} · {formatDuration(side.durationMs)}{' '}
      <span class={side.status === 'error' ? 'status-bad' : 'status-ok'}>
        {side.status === 'error' ? `✕ error${side.httpStatus ? ` ${side.httpStatus}` : ''}` : '✓ ok'}
      </span>
    </td>
  );
}

/** `/compare?a=RUN&b=RUN`: two runs hop by hop in expected-path order. */
export function ComparePage({ params }: { params: URLSearchParams }) {
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const runA = useApi(a ? api.run(a) : null);
  const runB = useApi(b ? api.run(b) : null);
  const ready = runA.data && runB.data && runA.data.runId === a && runB.data.runId === b;
  return (
    <section class="page">
      <h1>Compare runs</h1>
      <CompareForm key={`${a}|${b}`} a={a} b={b} />
      {(!a || !b) && <p class="muted">Enter two run ids (or paste links to run pages) to compare them hop by hop.</p>}
      {runA.failure && <ErrorPanel failure={runA.failure} what={`run A (${a})`} />}
      {runB.failure && <ErrorPanel failure={runB.failure} what={`run B (${b})`} />}
      {a && b && !ready && !runA.failure && !runB.failure && <Loading what="both runs" />}
      {ready && (
        <>
          <div class="compare-heads">
            <RunHead label="A" run={runA.data!} />
            <RunHead label="B" run={runB.data!} />
          </div>
          <table class="table">
            <caption class="sr-only">Hops of run A and run B in expected-path order</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">A</th>
                <th scope="col">B</th>
                <th scope="col" class="num">
                  B − A
                </th>
              </tr>
            </thead>
            <tbody>
              {compareRuns(runA.data!, runB.data!).map((row, i) => (
                <tr key={`${row.service}-${i}`}>
                  <th scope="row">
                    {row.service}
                    {!row.expected && <span class="tag">not expected</span>}
                  </th>
                  <Side side={row.a} />
                  <Side side={row.b} />
                  <td class={`num${row.deltaMs !== undefined && row.deltaMs >= 1 ? ' delta-up' : ''}`}>
                    {formatDelta(row.deltaMs)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
