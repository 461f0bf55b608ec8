// Live updates insert content above what the user is reading (a new incident, a new run row).
// Before such an update we note where an element in view sits; after it is drawn we scroll by
// however much it moved. The browser's own scroll anchoring is off (base.css) so the two never
// both correct. At the very top nothing is kept: there, new content should push down.
import { useLayoutEffect, useRef } from 'preact/hooks';

interface Anchor {
  element: Element;
  top: number;
}

/**
 * The first marked element whose top edge is in view (content above it may change size without
 * moving it), else the first one still partly in view.
 */
function captureAnchor(): Anchor | undefined {
  if (window.scrollY <= 0) return undefined;
  let partly: Anchor | undefined;
  for (const element of document.querySelectorAll('[data-keep-place]')) {
    const rect = element.getBoundingClientRect();
    if (rect.top >= 0 && rect.top < window.innerHeight) return { element, top: rect.top };
    if (!partly && rect.bottom > 0 && rect.top < 0) partly = { element, top: rect.top };
  }
  return partly;
}

/**
 * Returns `keep(update)`: runs the state update, and once the page has re-rendered, restores the
 * position of what was on screen.
 */
export function useKeepPlace(): (update: () => void) => void {
  const pending = useRef<Anchor | undefined>(undefined);
  useLayoutEffect(() => {
    const anchor = pending.current;
    pending.current = undefined;
    if (!anchor || !anchor.element.isConnected) return;
    const moved = anchor.element.getBoundingClientRect().top - anchor.top;
    if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
  });
  return (update) => {
    pending.current ??= captureAnchor();
    update();
  };
}
