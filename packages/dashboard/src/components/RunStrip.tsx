import { type RunCell } from '@hoptrace/core/api';
import { memo } from './memo';
import { formatClock, formatDuration } from '../lib/format';
import { runHref } from '../lib/routes';
import { verdictStyle } from '../lib/verdicts';

/** `deposit-voicemail run at 15:02:11: lost at notifier (notifier-1)`. */
export function cellLabel(probe: string, cell: RunCell): string {
  const style = verdictStyle(cell.state === 'pending' ? undefined : cell.verdict);
  const outcome = cell.where && cell.verdict !== 'ok' ? `${style.word} at ${cell.where}` : style.word;
  const total = cell.totalMs !== undefined ? `, ${formatDuration(cell.totalMs)}` : '';
  return `${probe} run at ${formatClock(cell.firedAt)}: ${outcome}${total}`;
}

function Cell({ probe, cell }: { probe: string; cell: RunCell }) {
  const style = verdictStyle(cell.state === 'pending' ? undefined : cell.verdict);
  const label = cellLabel(probe, cell);
  return (
    <li>
      <a href={runHref(cell.runId)} class={`cell ${style.className}`} aria-label={label} title={label}>
        <span aria-hidden="true">{cell.verdict === 'ok' ? '' : style.icon}</span>
      </a>
    </li>
  );
}

/**
 * One cell per recent run, oldest on the left and newest on the right (as on the chart below).
 * Always `slots` wide, empty slots included, so the block never changes size as runs arrive.
 */
export const RunStrip = memo(function RunStrip({
  probe,
  cells,
  slots,
}: {
  probe: string;
  cells: readonly RunCell[];
  slots: number;
}) {
  const shown = cells.slice(0, slots).reverse();
  const empty = Math.max(0, slots - shown.length);
  return (
    <ol class="strip" aria-label={`Recent runs of ${probe}, oldest to newest`} style={{ '--slots': slots }}>
      {Array.from({ length: empty }, (_, i) => (
        <li key={`empty-${i}`} class="cell-empty" aria-hidden="true" />
      ))}
      {shown.map((cell) => (
        <Cell key={cell.runId} probe={probe} cell={cell} />
      ))}
    </ol>
  );
});
