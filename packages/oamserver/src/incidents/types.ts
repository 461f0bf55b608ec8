import type { Incident } from '@hoptrace/core/api';

// An incident's shape is part of the API contract (@hoptrace/core/api): stored, served and
// alerted as it is.
export type { Incident, IncidentKind } from '@hoptrace/core/api';

/** Where an incident is: a probe, a service of its path, and one instance of it (or all of them). */
export type IncidentPlace = Pick<Incident, 'probe' | 'service' | 'instance' | 'kind'>;

/** What happened to an incident, for alerts (the event stream also announces `incident.updated`). */
export interface IncidentEvent {
  type: 'incident.opened' | 'incident.resolved';
  /** Epoch ms of the event. */
  atMs: number;
  incident: Incident;
}
