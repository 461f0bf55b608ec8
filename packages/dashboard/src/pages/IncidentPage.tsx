import { type IncidentTimelineEntry, type RunSummary } from '@hoptrace/core/api';
import { api } from '../api/endpoints';
import { ErrorPanel, Loading } from '../components/ErrorPanel';
import { RunsTable } from '../components/RunsTable';
import { Ago, TimeText } from '../components/TimeText';
import { VerdictBadge } from '../components/VerdictBadge';
import { formatDuration } from '../lib/format';
import { incidentDurationMs, incidentLatencies, incidentPlace } from '../lib/incident-words';
import { compareHref, incidentHref, runHref } from '../lib/routes';
import { runsHref } from '../lib/runs-filter';
import { FAULT_VERDICTS, kindWord, verdictStyle } from '../lib/verdicts';
import { useApi, useLive, useNow } from '../state/hooks';

function TimelineEntry({ entry }: { entry: IncidentTimelineEntry }) {
  if (entry.type === 'visit') {
    const style = verdictStyle(entry.verdict);
    return (
      <li class={`tl-item tl-visit ${style.className}`}>
        <span class="tl-dot" aria-hidden="true">
          {style.icon}
        </span>
        <TimeText time={entry.atMs} /> —{' '}
        {entry.runId ? <a href={runHref(entry.runId)}>{style.word} run</a> : `${style.word} run`}
        {entry.instance && ` through ${entry.instance}`}
        {entry.latencyMs !== undefined && `, ${formatDuration(entry.latencyMs)}`}
      </li>
    );
  }
  return (
    <li class={`tl-item tl-${entry.type}`}>
      <span class="tl-dot" aria-hidden="true">
        {entry.type === 'opened' ? '●' : '○'}
      </span>
      <TimeText time={entry.atMs} /> — <strong>{entry.type}</strong>
    </li>
  );
}

function Example({ title, run }: { title: string; run: RunSummary | undefined }) {
  return (
    <div class="example">
      <h3 class="example-title">{title}</h3>
      {run ? <RunsTable runs={[run]} caption={title} showProbe={false} /> : <p class="muted">none stored</p>}
    </div>
  );
}

/** `/incidents/:id`: what, where, since when, its timeline, example runs and the Jaeger comparison. */
export function IncidentPage({ incidentId }: { incidentId: string }) {
  const loaded = useApi(api.incident(incidentId), true);
  const now = useNow(10_000);
  useLive({ incident: (e) => e.incident.id === incidentId && loaded.reload() });
  const detail = loaded.data?.incident.id === incidentId ? loaded.data : undefined;
  if (!detail) {
    return (
      <section class="page">
        <h1>Incident</h1>
        {loaded.failure ? (
          <>
            <ErrorPanel failure={loaded.failure} what={`incident ${incidentId}`} onRetry={loaded.reload} />
            <p>
              <a href="/incidents?state=all">All recent incidents</a>
            </p>
          </>
        ) : (
          <Loading what="the incident" />
        )}
      </section>
    );
  }
  const { incident, timeline, examples } = detail;
  const latencies = incidentLatencies(incident);
  const first = examples.firstFailure ?? examples.latestFailure;
  return (
    <section class="page">
      <p class="breadcrumb small">
        <a href="/incidents">Incidents</a> › {incident.probe}
      </p>
      <div class="page-head">
        <h1 class="run-title">
          <VerdictBadge verdict={incident.kind} large />
          <span>
            {incident.probe} {kindWord(incident.kind)} at {incidentPlace(incident)}
          </span>
        </h1>
        <span class={`tag ${incident.state === 'open' ? 'tag-open' : ''}`}>{incident.state}</span>
      </div>
      <p class="reason">
        <strong>Why:</strong> {incident.reason}
      </p>
      {incident.mergedInto && (
        <p class="notice notice-info">
          Taken over by a service-wide incident: <a href={incidentHref(incident.mergedInto)}>{incident.mergedInto}</a>
        </p>
      )}
      <dl class="facts">
        <div>
          <dt>Since</dt>
          <dd>
            <TimeText time={incident.startedAtMs} full /> (<Ago time={incident.startedAtMs} />)
          </dd>
        </div>
        <div>
          <dt>{incident.state === 'open' ? 'For' : 'Lasted'}</dt>
          <dd>{formatDuration(incidentDurationMs(incident, now))}</dd>
        </div>
        <div>
          <dt>Runs affected</dt>
          <dd>{incident.runsAffected}</dd>
        </div>
        {latencies && (
          <div>
            <dt>Latency</dt>
            <dd>{latencies}</dd>
          </div>
        )}
        <div>
          <dt>Last seen</dt>
          <dd>
            <TimeText time={incident.lastSeenAtMs} />
          </dd>
        </div>
        {incident.resolvedAtMs !== undefined && (
          <div>
            <dt>Resolved</dt>
            <dd>
              <TimeText time={incident.resolvedAtMs} />
            </dd>
          </div>
        )}
        {incident.instancesFailing && incident.instancesFailing.length > 0 && (
          <div>
            <dt>Instances failing</dt>
            <dd>{incident.instancesFailing.join(', ')}</dd>
          </div>
        )}
      </dl>
      <p class="page-actions">
        <a
          class="button"
          href={runsHref({
            probe: incident.probe,
            service: incident.service,
            ...(incident.instance ? { instance: incident.instance } : {}),
            verdicts: [...FAULT_VERDICTS],
          })}
        >
          Faulty runs at {incidentPlace(incident)}
        </a>
        {examples.lastOkBefore && first && (
          <a class="button" href={compareHref(examples.lastOkBefore.runId, (examples.latestFailure ?? first).runId)}>
            Compare last ok with latest failure
          </a>
        )}
        {detail.jaegerCompareUrl && (
          <a class="button ext" href={detail.jaegerCompareUrl} target="_blank" rel="noreferrer">
            Compare traces in Jaeger<span class="sr-only"> (new tab)</span>
          </a>
        )}
      </p>
      <div class="incident-grid">
        <section class="card" aria-labelledby="tl-title">
          <h2 id="tl-title" class="section-title">
            Timeline
          </h2>
          <ol class="timeline">
            {timeline.map((entry, i) => (
              <TimelineEntry key={`${entry.type}-${entry.atMs}-${i}`} entry={entry} />
            ))}
          </ol>
          {detail.timelineTruncated && <p class="muted small">Earlier faulty visits are stored but not shown.</p>}
        </section>
        <section class="card" aria-labelledby="ex-title">
          <h2 id="ex-title" class="section-title">
            Example runs
          </h2>
          <Example title="First failure" run={examples.firstFailure} />
          <Example title="Latest failure" run={examples.latestFailure} />
          <Example title="Last ok before it" run={examples.lastOkBefore} />
        </section>
      </div>
    </section>
  );
}
