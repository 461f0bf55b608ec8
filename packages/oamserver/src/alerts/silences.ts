import type { IncidentPlace } from '../incidents/types';

/** Which incidents a silence covers: every field given must equal the incident's (at least one is given). */
export interface SilenceMatch {
  probe?: string;
  service?: string;
  /** An instance: matches incidents at that instance only, never one of the whole service. */
  instance?: string;
}

/** A daily window of wall-clock time in a time zone, `[fromMinute, toMinute)`; `fromMinute > toMinute` spans midnight. */
export interface DailyWindow {
  /** Minutes after midnight, 0-1439. */
  fromMinute: number;
  /** Minutes after midnight, 1-1440 (1440: midnight at the end of the day). */
  toMinute: number;
  /** IANA time zone, e.g. `UTC`, `Europe/Paris`. */
  timezone: string;
}

/** A checked silence (config `alerts.silences`): incident events it covers go to no channel but the log. */
export interface Silence {
  match: SilenceMatch;
  /** Active from this instant on (epoch ms). Absent: from the start. */
  fromMs?: number;
  /** Active until this instant, excluded (epoch ms). Absent: no end (a daily window). */
  untilMs?: number;
  /** Active only within this window of each day (and within fromMs/untilMs when given). */
  daily?: DailyWindow;
  /** Why (a ticket, a maintenance): shown in logs and delivery records. */
  comment?: string;
}

/** Whether the silence covers incidents at this place. */
export function silenceMatches(
  silence: Silence,
  place: Pick<IncidentPlace, 'probe' | 'service' | 'instance'>,
): boolean {
  const { probe, service, instance } = silence.match;
  return (
    (probe === undefined || probe === place.probe) &&
    (service === undefined || service === place.service) &&
    // An incident of the whole service has no instance: a silence of one instance does not cover it.
    (instance === undefined || instance === place.instance)
  );
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes after midnight of the wall clock in `timezone` at `atMs`. Throws RangeError for an unknown zone. */
export function minuteOfDay(atMs: number, timezone: string): number {
  let format = clockFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    clockFormats.set(timezone, format);
  }
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(atMs)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** Whether `timezone` is an IANA time zone this Node knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    minuteOfDay(0, timezone);
    return true;
  } catch {
    return false;
  }
}

/** Whether the silence is in force at `atMs`. */
export function isSilenceActive(silence: Silence, atMs: number): boolean {
  if (silence.fromMs !== undefined && atMs < silence.fromMs) return false;
  if (silence.untilMs !== undefined && atMs >= silence.untilMs) return false;
  const daily = silence.daily;
  if (!daily) return true;
  const minute = minuteOfDay(atMs, daily.timezone);
  return daily.fromMinute < daily.toMinute
    ? minute >= daily.fromMinute && minute < daily.toMinute
    : // Across midnight, e.g. 23:00-01:00: the evening part or the morning part.
      minute >= daily.fromMinute || minute < daily.toMinute;
}

/**
 * The index of the first silence that covers an event at `place` happening at `atMs`, or
 * undefined when none does.
 */
export function findSilence(
  silences: readonly Silence[],
  place: Pick<IncidentPlace, 'probe' | 'service' | 'instance'>,
  atMs: number,
): number | undefined {
  const index = silences.findIndex((silence) => silenceMatches(silence, place) && isSilenceActive(silence, atMs));
  return index === -1 ? undefined : index;
}

/** How a silence is named in logs and records: `alerts.silences.2 (kernel upgrade)`. */
export function describeSilence(silences: readonly Silence[], index: number): string {
  const comment = silences[index]?.comment;
  return `alerts.silences.${index}${comment ? ` (${comment})` : ''}`;
}
