// Incidents in words, the way the overview and the incident pages say them.
import { type Incident } from '@hoptrace/core/api';
import { formatClockShort, formatDuration, formatWhen, localZone, plural, type Zone } from './format';
import { kindWord, placeLabel } from './verdicts';

/** `recorder (recorder-2)`, or `recorder (all instances)` for a service-wide incident. */
export function incidentPlace(incident: Pick<Incident, 'service' | 'instance'>): string {
  return placeLabel(incident.service, incident.instance, true);
}

/**
 * `recorder (recorder-2) slow since 15:02, 4 runs` for an open incident;
 * `recorder (recorder-2) slow 15:02–15:04 (2m 10s), 4 runs` for a resolved one.
 */
export function incidentHeadline(incident: Incident, nowMs: number, zone: Zone = localZone): string {
  const place = incidentPlace(incident);
  const kind = kindWord(incident.kind);
  const runs = plural(incident.runsAffected, 'run');
  const since = formatWhenShort(incident.startedAtMs, nowMs, zone);
  if (incident.state === 'open') return `${place} ${kind} since ${since}, ${runs}`;
  const end = incident.resolvedAtMs ?? incident.lastSeenAtMs;
  return `${place} ${kind} ${since}–${formatWhenShort(end, nowMs, zone)} (${formatDuration(end - incident.startedAtMs)}), ${runs}`;
}

function formatWhenShort(ms: number, nowMs: number, zone: Zone): string {
  const full = formatWhen(ms, nowMs, zone);
  // Same day: `15:02` reads better than `15:02:11` in a sentence.
  return full.length === 8 ? formatClockShort(ms, zone) : full.slice(0, 16);
}

/** How long it has lasted (open) or lasted (resolved). */
export function incidentDurationMs(incident: Incident, nowMs: number): number {
  return (incident.state === 'open' ? nowMs : (incident.resolvedAtMs ?? incident.lastSeenAtMs)) - incident.startedAtMs;
}

/** `431ms worst, 428ms typical` when the incident has latencies. */
export function incidentLatencies(incident: Pick<Incident, 'worstMs' | 'typicalMs'>): string | undefined {
  const parts: string[] = [];
  if (incident.worstMs !== undefined) parts.push(`${formatDuration(incident.worstMs)} worst`);
  if (incident.typicalMs !== undefined) parts.push(`${formatDuration(incident.typicalMs)} typical`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** Open incidents first (newest first), then resolved ones (latest resolved first). */
export function sortIncidents(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'open' ? -1 : 1;
    const at = (i: Incident) => (i.state === 'open' ? i.startedAtMs : (i.resolvedAtMs ?? i.lastSeenAtMs));
    return at(b) - at(a);
  });
}

/** The open incident list after an incident event: added, replaced, or removed when resolved. */
export function applyIncidentEvent(open: readonly Incident[], incident: Incident): Incident[] {
  const rest = open.filter((i) => i.id !== incident.id);
  return incident.state === 'open' ? sortIncidents([incident, ...rest]) : rest;
}
