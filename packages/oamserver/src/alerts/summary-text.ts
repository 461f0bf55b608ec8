import { formatDuration } from '../config/duration';
import type { IncidentEvent } from '../incidents/types';

/** Longest summary line: chat tools truncate or fold long messages, and a reason could be long. */
export const MAX_SUMMARY_LENGTH = 400;

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** `14:02:11Z`, or `2024-05-01 14:02:11Z` when `ms` is not on the same UTC day as `referenceMs`. */
function clockOf(ms: number, referenceMs: number): string {
  const iso = isoOf(ms);
  const time = `${iso.slice(11, 19)}Z`;
  return iso.slice(0, 10) === isoOf(referenceMs).slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`;
}

/**
 * One line a person can read in a chat channel, e.g.
 * `OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: recorder took 412ms, budget 200ms`
 * or `RESOLVED slow at recorder (recorder-2) on deposit-voicemail at 14:20:05Z after 18m, 37 runs affected`.
 */
export function summarizeIncidentEvent(event: IncidentEvent): string {
  const { incident } = event;
  const instance = incident.instance ?? '';
  const place = `${incident.kind} at ${incident.service}${instance ? ` (${instance})` : ''} on ${incident.probe}`;
  let line: string;
  if (event.type === 'incident.opened') {
    line = `OPEN ${place} since ${clockOf(incident.startedAtMs, event.atMs)}: ${incident.reason}`;
  } else {
    const endMs = incident.resolvedAtMs ?? event.atMs;
    const lasted = formatDuration(Math.max(0, endMs - incident.startedAtMs));
    const runs = `${incident.runsAffected} run${incident.runsAffected === 1 ? '' : 's'} affected`;
    // An instance's incident is also resolved when a service-wide one takes it over: say so, or
    // the reader would think the instance recovered.
    const merged = incident.mergedInto ? ' (now part of an incident of the whole service)' : '';
    line = `RESOLVED ${place} at ${clockOf(endMs, event.atMs)} after ${lasted}, ${runs}${merged}`;
  }
  // One line: a reason carrying a newline would break log parsers and chat formatting.
  line = line.replace(/\s*[\r\n]+\s*/g, ' ');
  return line.length > MAX_SUMMARY_LENGTH ? `${line.slice(0, MAX_SUMMARY_LENGTH - 1)}…` : line;
}
