// Incident events as the incident tracker emits them, for the tests of alerts.
import type { Incident, IncidentEvent } from '../../src/incidents/types';

/** 2024-05-01T14:02:11Z: when the first faulty run of the sample incident was fired. */
export const STARTED_AT_MS = Date.UTC(2024, 4, 1, 14, 2, 11);

/** A slow recorder instance on deposit-voicemail, opened two runs after it started. */
export function sampleIncident(fields: Partial<Incident> = {}): Incident {
  return {
    id: 'deposit-voicemail:recorder:recorder-2:slow:1714572131000',
    probe: 'deposit-voicemail',
    service: 'recorder',
    instance: 'recorder-2',
    kind: 'slow',
    state: 'open',
    startedAtMs: STARTED_AT_MS,
    openedAtMs: STARTED_AT_MS + 20_000,
    lastSeenAtMs: STARTED_AT_MS + 20_000,
    runsAffected: 2,
    worstMs: 412,
    typicalMs: 398,
    exampleRuns: ['r-1', 'r-2'],
    reason: 'recorder took 412ms, budget 200ms',
    ...fields,
  };
}

/** `incident.opened` of the sample incident (or of `fields` over it). */
export function openedEvent(fields: Partial<Incident> = {}): IncidentEvent {
  const incident = sampleIncident(fields);
  return { type: 'incident.opened', atMs: incident.openedAtMs, incident };
}

/** `incident.resolved` of the sample incident, `lastedMs` after it started. */
export function resolvedEvent(lastedMs = 18 * 60_000, fields: Partial<Incident> = {}): IncidentEvent {
  const resolvedAtMs = STARTED_AT_MS + lastedMs;
  const incident = sampleIncident({ state: 'resolved', resolvedAtMs, runsAffected: 37, ...fields });
  return { type: 'incident.resolved', atMs: resolvedAtMs, incident };
}
