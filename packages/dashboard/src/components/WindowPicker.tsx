import { OVERVIEW_WINDOWS, type OverviewWindow } from '@hoptrace/core/api';

/** The window picker: a group of links (each window has its own URL). */
export function WindowPicker({
  value,
  hrefFor,
  windows = OVERVIEW_WINDOWS,
}: {
  value: OverviewWindow;
  hrefFor: (w: OverviewWindow) => string;
  windows?: readonly OverviewWindow[];
}) {
  return (
    <nav class="segmented" aria-label="Time window">
      {windows.map((w) => (
        <a
          key={w}
          href={hrefFor(w)}
          aria-current={w === value ? 'true' : undefined}
          class={w === value ? 'on' : undefined}
        >
          {w}
        </a>
      ))}
    </nav>
  );
}
