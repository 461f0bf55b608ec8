// Words and numbers as the dashboard prints them. Pure: time zone and "now" are passed in, so the
// unit tests pin them and the pages pass the browser's.

/** A way to turn an instant into wall-clock time: the browser's zone, or a fixed one in tests. */
export interface Zone {
  /** Minutes east of UTC at that instant (+60 for CET in winter). */
  offsetMinutes(ms: number): number;
}

/** The browser's (the user's) time zone. */
export const localZone: Zone = { offsetMinutes: (ms) => -new Date(ms).getTimezoneOffset() };
/** UTC. */
export const utcZone: Zone = { offsetMinutes: () => 0 };
/** A zone at a fixed offset, for tests. */
export function fixedZone(minutes: number): Zone {
  return { offsetMinutes: () => minutes };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The wall-clock fields of an instant in a zone. */
function fields(ms: number, zone: Zone) {
  const d = new Date(ms + zone.offsetMinutes(ms) * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
    millis: d.getUTCMilliseconds(),
  };
}

/** An instant given as epoch ms or as an ISO string. */
export function toMs(time: number | string): number {
  return typeof time === 'number' ? time : Date.parse(time);
}

/** `15:02:11`. */
export function formatClock(time: number | string, zone: Zone = localZone): string {
  const f = fields(toMs(time), zone);
  return `${pad(f.hours)}:${pad(f.minutes)}:${pad(f.seconds)}`;
}

/** `15:02`. */
export function formatClockShort(time: number | string, zone: Zone = localZone): string {
  const f = fields(toMs(time), zone);
  return `${pad(f.hours)}:${pad(f.minutes)}`;
}

/** `2026-11-25`. */
export function formatDate(time: number | string, zone: Zone = localZone): string {
  const f = fields(toMs(time), zone);
  return `${f.year}-${pad(f.month)}-${pad(f.day)}`;
}

/** `2026-11-25 15:02:11`. */
export function formatDateTime(time: number | string, zone: Zone = localZone): string {
  return `${formatDate(time, zone)} ${formatClock(time, zone)}`;
}

/** The clock alone when the instant is on the same day as `nowMs`, else date and clock. */
export function formatWhen(time: number | string, nowMs: number, zone: Zone = localZone): string {
  return formatDate(time, zone) === formatDate(nowMs, zone) ? formatClock(time, zone) : formatDateTime(time, zone);
}

/** `+01:00`, `-05:30`, `Z`. */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** ISO 8601 in the zone with its explicit offset: `2026-11-25T15:02:11.123+01:00` (or `...Z`). */
export function formatIsoWithOffset(time: number | string, zone: Zone = localZone): string {
  const ms = toMs(time);
  const f = fields(ms, zone);
  return (
    `${f.year}-${pad(f.month)}-${pad(f.day)}T${pad(f.hours)}:${pad(f.minutes)}:${pad(f.seconds)}` +
    `.${pad(f.millis, 3)}${formatOffset(zone.offsetMinutes(ms))}`
  );
}

/** The hover text of a time: UTC and the local time with its offset, so nobody has to guess. */
export function timeTooltip(time: number | string, zone: Zone = localZone): string {
  const ms = toMs(time);
  if (!Number.isFinite(ms)) return String(time);
  const utc = new Date(ms).toISOString();
  return zone.offsetMinutes(ms) === 0 ? utc : `${formatIsoWithOffset(ms, zone)} (${utc})`;
}

/** `38ms`, `1.2s`, `42s`, `4m 12s`, `2h 5m`; `<1ms` for a sliver, `—` for nothing. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs === 0) return '0ms';
  if (abs < 1) return `${sign}<1ms`;
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 10_000) return `${sign}${(Math.round(abs / 100) / 10).toFixed(1)}s`;
  if (abs < 60_000) return `${sign}${Math.round(abs / 1000)}s`;
  if (abs < 3_600_000) {
    const m = Math.floor(abs / 60_000);
    const s = Math.round((abs - m * 60_000) / 1000);
    return s === 0 ? `${sign}${m}m` : `${sign}${m}m ${s}s`;
  }
  const h = Math.floor(abs / 3_600_000);
  const m = Math.round((abs - h * 3_600_000) / 60_000);
  return m === 0 ? `${sign}${h}h` : `${sign}${h}h ${m}m`;
}

/** A signed difference: `+312ms`, `-1.2s`, `±0ms`. */
export function formatDelta(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1) return '±0ms';
  return ms > 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

/** `just now`, `42 s ago`, `3 min ago`, `2 h ago`, `3 days ago` (or `in 5 s` for the future). */
export function formatAgo(time: number | string, nowMs: number): string {
  const diff = nowMs - toMs(time);
  if (!Number.isFinite(diff)) return '';
  const abs = Math.abs(diff);
  let amount: string;
  if (abs < 5_000) return 'just now';
  if (abs < 60_000) amount = `${Math.floor(abs / 1000)} s`;
  else if (abs < 3_600_000) amount = `${Math.floor(abs / 60_000)} min`;
  else if (abs < 86_400_000) amount = `${Math.floor(abs / 3_600_000)} h`;
  else {
    const days = Math.floor(abs / 86_400_000);
    amount = `${days} ${days === 1 ? 'day' : 'days'}`;
  }
  return diff >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** Availability: `99.2%`, `100%`; never rounds a failure up to 100. `—` when nothing was judged. */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  if (pct >= 100) return '100%';
  // Floor, not round: 99.96% of runs ok is not 100%.
  const shown = Math.floor(pct * 10) / 10;
  return Number.isInteger(shown) ? `${shown}%` : `${shown.toFixed(1)}%`;
}

/** `1 run`, `4 runs`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** The value of an `<input type="datetime-local">` for an instant: `2026-11-25T15:02:11`. */
export function toLocalInputValue(time: number | string, zone: Zone = localZone): string {
  const ms = toMs(time);
  if (!Number.isFinite(ms)) return '';
  return `${formatDate(ms, zone)}T${formatClock(ms, zone)}`;
}

/** The instant an `<input type="datetime-local">` value names in the zone, as ISO 8601 UTC. */
export function fromLocalInputValue(value: string, zone: Zone = localZone): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!m) return undefined;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), +(m[7] ?? 0));
  // The offset at the wall-clock time, then once more at the instant found (DST edges).
  let ms = wall - zone.offsetMinutes(wall) * 60_000;
  ms = wall - zone.offsetMinutes(ms) * 60_000;
  return new Date(ms).toISOString();
}
