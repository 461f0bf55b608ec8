import { type Incident } from '@hoptrace/core/api';
import { incidentHeadline } from '../lib/incident-words';
import { incidentHref } from '../lib/routes';
import { verdictStyle } from '../lib/verdicts';
import { useNow } from '../state/hooks';

/** The open incidents, in words, each a link to its page. */
export function OpenIncidents({ incidents, storageDown }: { incidents: readonly Incident[]; storageDown: boolean }) {
  const now = useNow(30_000);
  return (
    <section class="open-incidents" aria-labelledby="open-incidents-title">
      <h2 id="open-incidents-title" class="section-title">
        Open incidents <span class="count">{storageDown ? '?' : incidents.length}</span>
      </h2>
      {storageDown ? (
        <p class="muted">Not known: storage is unavailable.</p>
      ) : incidents.length === 0 ? (
        <p class="all-clear">
          <span aria-hidden="true">✓ </span>No open incidents.
        </p>
      ) : (
        <ul class="incident-list">
          {incidents.map((incident) => {
            const style = verdictStyle(incident.kind);
            return (
              <li key={incident.id} class={`incident-item ${style.className}`} data-keep-place="">
                <span class="badge-icon" aria-hidden="true">
                  {style.icon}
                </span>
                <a href={incidentHref(incident.id)}>{incidentHeadline(incident, now)}</a>
                <span class="muted small"> · {incident.probe}</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
