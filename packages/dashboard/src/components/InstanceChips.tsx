import { type HopSummary } from '@hoptrace/core/api';
import { formatDuration } from '../lib/format';

function chipTitle(hop: HopSummary): string {
  const notes = [hop.status === 'error' ? 'error' : 'ok', formatDuration(hop.durationMs)];
  if (!hop.expected) notes.push('not in the expected path');
  if (!hop.onTrace) notes.push('arrived under another trace');
  return `${hop.service} (${hop.instance}): ${notes.join(', ')}`;
}

/** The instances a run went through, in causal order, as tiny chips. */
export function InstanceChips({ hops }: { hops: readonly HopSummary[] }) {
  if (hops.length === 0) return <span class="muted">no hops</span>;
  return (
    <ul class="chips" aria-label="hops">
      {hops.map((hop, i) => (
        <li
          key={`${hop.instance}-${i}`}
          class={`chip${hop.status === 'error' ? ' chip-error' : ''}${hop.expected ? '' : ' chip-unexpected'}${
            hop.onTrace ? '' : ' chip-offtrace'
          }`}
          title={chipTitle(hop)}
        >
          {hop.instance}
          {hop.status === 'error' && <span class="sr-only"> (error)</span>}
          {!hop.expected && <span class="sr-only"> (not in the expected path)</span>}
          {!hop.onTrace && <span class="sr-only"> (off-trace)</span>}
        </li>
      ))}
    </ul>
  );
}
