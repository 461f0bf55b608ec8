import { z } from 'zod';
import { isTimeZone, type Silence } from '../alerts/silences';

/** `2024-05-01T02:00:00Z` or `2024-05-01T04:00:00+02:00`, to epoch ms. A time without its zone is ambiguous: refused. */
const dateTime = z
  .string({ error: 'must be an ISO 8601 date-time with its zone, e.g. 2024-05-01T02:00:00Z' })
  .refine(
    (value) => z.iso.datetime({ offset: true }).safeParse(value).success,
    'must be an ISO 8601 date-time with its zone, e.g. 2024-05-01T02:00:00Z or 2024-05-01T04:00:00+02:00',
  )
  .transform((value) => Date.parse(value));

/** `HH:MM` (24-hour clock) to minutes after midnight; `24:00` is the end of the day. */
function timeOfDay(allowEndOfDay: boolean) {
  return z.string({ error: 'must be a time of day, HH:MM (quote it in YAML: "02:00")' }).transform((value, ctx) => {
    const match = /^(\d{1,2}):(\d{2})$/.exec(value);
    const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
    const valid = match !== null && Number(match[2]) < 60 && (minutes < 1440 || (allowEndOfDay && minutes === 1440));
    if (!valid) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a time of day (write HH:MM, 00:00 to ${allowEndOfDay ? '24:00' : '23:59'})`,
      });
      return z.NEVER;
    }
    return minutes;
  });
}

const dailyWindow = z
  .object({
    from: timeOfDay(false),
    to: timeOfDay(true),
    /** IANA time zone of the wall clock. */
    timezone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone, e.g. UTC, Europe/Paris, America/New_York')
      .default('UTC'),
  })
  .strict()
  .transform((daily, ctx) => {
    if (daily.from === daily.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'the window is empty: give a different time than from' });
      return z.NEVER;
    }
    return { fromMinute: daily.from, toMinute: daily.to, timezone: daily.timezone };
  });

const placeName = z.string().min(1).max(128);

const silenceMatch = z
  .object(
    { probe: placeName.optional(), service: placeName.optional(), instance: placeName.optional() },
    {
      error: (issue) =>
        issue.input === undefined
          ? 'give match: the probe, service and/or instance the silence covers'
          : 'must be a map of probe, service and/or instance',
    },
  )
  .strict()
  .refine((match) => Object.values(match).some((value) => value !== undefined), {
    message: 'give at least one of probe, service, instance (a silence of everything would hide every alert)',
  });

/**
 * One silence: incident events at places it matches, while it is active, go to no channel but
 * the log. Active from `from` (default: now) until `until`, or within the `daily` window of each
 * day (and then between `from` and `until` when given).
 */
export const silenceSchema = z
  .object({
    match: silenceMatch,
    from: dateTime.optional(),
    until: dateTime.optional(),
    daily: dailyWindow.optional(),
    /** Why: a ticket, a planned maintenance. Shown in the log and delivery records. */
    comment: z.string().max(500).optional(),
  })
  .strict()
  .transform((silence, ctx): Silence => {
    if (silence.from !== undefined && silence.until !== undefined && silence.until <= silence.from) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be later than from' });
    }
    return {
      match: silence.match,
      ...(silence.from !== undefined && { fromMs: silence.from }),
      ...(silence.until !== undefined && { untilMs: silence.until }),
      ...(silence.daily && { daily: silence.daily }),
      ...(silence.comment !== undefined && { comment: silence.comment }),
    };
  });

/**
 * A silence must end (`until`) or recur (`daily`). Checked on the raw document, so that it is
 * reported together with the silence's other mistakes.
 */
export function crossCheckSilences(silences: unknown): { path: string; message: string }[] {
  if (!Array.isArray(silences)) return [];
  return silences.flatMap((silence: unknown, index) => {
    if (typeof silence !== 'object' || silence === null || Array.isArray(silence)) return [];
    const { until, daily } = silence as { until?: unknown; daily?: unknown };
    return until === undefined && daily === undefined
      ? [{ path: `alerts.silences.${index}`, message: 'give until (a silence that ends) or daily (a window each day)' }]
      : [];
  });
}
