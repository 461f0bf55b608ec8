import { type Verdict } from '@hoptrace/core/api';
import { verdictStyle } from '../lib/verdicts';

/** A verdict as a badge: shape, word and colour (never colour alone). */
export function VerdictBadge({ verdict, large = false }: { verdict: Verdict | undefined; large?: boolean }) {
  const style = verdictStyle(verdict);
  return (
    <span class={`badge ${style.className}${large ? ' badge-large' : ''}`} title={style.meaning}>
      <span class="badge-icon" aria-hidden="true">
        {style.icon}
      </span>
      {style.word}
    </span>
  );
}
