import { formatDuration } from '../../config/duration';
import type { AlertEvent } from '../../plugins/types';

/** One labelled fact of an incident, as chat cards and e-mails show it. */
export interface IncidentFact {
  label: string;
  value: string;
}

/** `OPEN` or `RESOLVED`. */
export function stateWord(event: AlertEvent): 'OPEN' | 'RESOLVED' {
  return event.type === 'incident.opened' ? 'OPEN' : 'RESOLVED';
}

/** `recorder (recorder-2)`, or `recorder` for an incident of the whole service. */
export function placeOf(event: AlertEvent): string {
  const { service, instance } = event.incident;
  return instance ? `${service} (${instance})` : service;
}

/** `OPEN deposit-voicemail: slow at recorder (recorder-2)`: the headline of chat cards and e-mail subjects. */
export function headlineOf(event: AlertEvent): string {
  const { probe, kind } = event.incident;
  return `${stateWord(event)} ${probe}: ${kind} at ${placeOf(event)}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The facts of the event's incident, in reading order; absent values are left out. */
export function incidentFacts(event: AlertEvent): IncidentFact[] {
  const { incident } = event;
  const facts: IncidentFact[] = [
    { label: 'Probe', value: incident.probe },
    { label: 'Service', value: incident.service },
    { label: 'Instance', value: incident.instance ?? 'all (the whole service)' },
    { label: 'Verdict', value: incident.kind },
    { label: 'Started', value: iso(incident.startedAtMs) },
  ];
  if (incident.resolvedAtMs !== undefined) {
    facts.push({ label: 'Resolved', value: iso(incident.resolvedAtMs) });
    facts.push({ label: 'Lasted', value: formatDuration(Math.max(0, incident.resolvedAtMs - incident.startedAtMs)) });
  }
  facts.push({ label: 'Runs affected', value: String(incident.runsAffected) });
  if (incident.worstMs !== undefined) {
    const typical = incident.typicalMs === undefined ? '' : ` (typical ${formatDuration(incident.typicalMs)})`;
    facts.push({ label: 'Worst', value: `${formatDuration(incident.worstMs)}${typical}` });
  }
  if (incident.instancesFailing && incident.instancesFailing.length > 0) {
    facts.push({ label: 'Instances failing', value: incident.instancesFailing.join(', ') });
  }
  facts.push({ label: 'Reason', value: incident.reason });
  if (incident.mergedInto) facts.push({ label: 'Now part of', value: incident.mergedInto });
  facts.push({ label: 'Incident', value: incident.id });
  return facts;
}
