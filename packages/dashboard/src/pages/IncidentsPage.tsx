import { type Incident } from '@hoptrace/core/api';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/endpoints';
import { ErrorPanel, Loading } from '../components/ErrorPanel';
import { TimeText } from '../components/TimeText';
import { VerdictBadge } from '../components/VerdictBadge';
import { formatDuration } from '../lib/format';
import { incidentDurationMs, incidentLatencies, incidentPlace, sortIncidents } from '../lib/incident-words';
import { incidentHref, incidentsHref, parseIncidentsState } from '../lib/routes';
import { kindWord } from '../lib/verdicts';
import { useApi, useLive, useNow } from '../state/hooks';
import { useKeepPlace } from '../state/scroll-anchor';

function StateTag({ incident }: { incident: Incident }) {
  if (incident.state === 'open') return <span class="tag tag-open">open</span>;
  return <span class="tag">{incident.mergedInto ? 'merged' : 'resolved'}</span>;
}

/** `/incidents` (open) and `/incidents?state=all`. Live: an incident event refetches the list. */
export function IncidentsPage({ params }: { params: URLSearchParams }) {
  const state = parseIncidentsState(params.get('state'));
  const loaded = useApi(api.incidents(state), true);
  const now = useNow(30_000);
  const keep = useKeepPlace();
  // New data goes in without moving what the user is reading.
  const [shown, setShown] = useState<Incident[] | undefined>(undefined);
  useEffect(() => {
    const data = loaded.data;
    if (data) keep(() => setShown(sortIncidents(data.incidents)));
  }, [loaded.data]);
  useLive({ incident: () => loaded.reload(), resync: () => loaded.reload() });
  const incidents = loaded.data ? shown : undefined;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Incidents</h1>
        <nav class="segmented" aria-label="Which incidents">
          <a
            href={incidentsHref('open')}
            aria-current={state === 'open' ? 'true' : undefined}
            class={state === 'open' ? 'on' : undefined}
          >
            open
          </a>
          <a
            href={incidentsHref('all')}
            aria-current={state === 'all' ? 'true' : undefined}
            class={state === 'all' ? 'on' : undefined}
          >
            all recent
          </a>
        </nav>
      </div>
      {loaded.failure && <ErrorPanel failure={loaded.failure} what="incidents" onRetry={loaded.reload} />}
      {!incidents && !loaded.failure && <Loading what="incidents" />}
      {incidents?.length === 0 && (
        <p class="all-clear">
          <span aria-hidden="true">✓ </span>
          {state === 'open' ? 'No open incidents.' : 'No incidents recorded.'}
        </p>
      )}
      {incidents && incidents.length > 0 && (
        <table class="table">
          <caption class="sr-only">{state === 'open' ? 'Open incidents' : 'Recent incidents'}</caption>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              <th scope="col" class="num">
                For
              </th>
              <th scope="col">Probe</th>
              <th scope="col">Kind</th>
              <th scope="col">Where</th>
              <th scope="col" class="num">
                Runs
              </th>
              <th scope="col">Worst / typical</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={i.id} data-keep-place="">
                <td>
                  <StateTag incident={i} />
                </td>
                <td class="nowrap">
                  <a href={incidentHref(i.id)}>
                    <TimeText time={i.startedAtMs} />
                    <span class="sr-only">
                      : {i.probe} {kindWord(i.kind)} at {incidentPlace(i)}
                    </span>
                  </a>
                </td>
                <td class="num">{formatDuration(incidentDurationMs(i, now))}</td>
                <td>{i.probe}</td>
                <td>
                  <VerdictBadge verdict={i.kind} />
                </td>
                <td>{incidentPlace(i)}</td>
                <td class="num">{i.runsAffected}</td>
                <td>{incidentLatencies(i) ?? <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
