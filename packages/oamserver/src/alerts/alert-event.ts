import type { IncidentEvent } from '../incidents/types';
import type { AlertEvent, AlertLinks } from '../plugins/types';
import { summarizeIncidentEvent } from './summary-text';

/** The event as webhooks and alert-channel plugins receive it: the incident event and its summary line. */
export function toAlertEvent(event: IncidentEvent): AlertEvent {
  return { ...event, text: summarizeIncidentEvent(event) };
}

/**
 * Links to the dashboard pages of an incident and of its example runs, under `dashboardUrl`
 * (the Oamserver's address as people reach it). The paths are the dashboard's (`/incidents/<id>`,
 * `/runs/<id>`, ids percent-encoded in one segment).
 */
export function alertLinks(dashboardUrl: string, event: Pick<IncidentEvent, 'incident'>): AlertLinks {
  const base = dashboardUrl.replace(/\/+$/, '');
  return {
    incident: `${base}/incidents/${encodeURIComponent(event.incident.id)}`,
    runs: event.incident.exampleRuns.map((runId) => `${base}/runs/${encodeURIComponent(runId)}`),
  };
}
