import { formatAgo, formatDateTime, formatWhen, timeTooltip, toMs } from '../lib/format';
import { useNow } from '../state/hooks';

/**
 * A time in the user's local zone (the clock alone when it is today, unless `full`); hovering
 * shows it with its explicit offset and in UTC.
 */
export function TimeText({ time, full = false }: { time: number | string; full?: boolean }) {
  const now = useNow(60_000);
  const ms = toMs(time);
  if (!Number.isFinite(ms)) return <span>{String(time)}</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={timeTooltip(ms)}>
      {full ? formatDateTime(ms) : formatWhen(ms, now)}
    </time>
  );
}

/** `3 min ago`, kept current; the exact time on hover. */
export function Ago({ time }: { time: number | string }) {
  const now = useNow(10_000);
  const ms = toMs(time);
  if (!Number.isFinite(ms)) return <span>{String(time)}</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={timeTooltip(ms)}>
      {formatAgo(ms, now)}
    </time>
  );
}
