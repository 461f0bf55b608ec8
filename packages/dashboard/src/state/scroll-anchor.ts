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
 * Where what the reader sees begins: below the sticky top bar. An element under the bar is out of
 * view as much as one above the window: anchored on it, a change between it and the first thing
 * the reader does see (an incident opening there) would move everything they read.
 */
function visibleTop(): number {
  const bar = document.querySelector('.topbar');
  return bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
}

/**
 * The marked elements whose top edge is in view (content above them may change size without
 * moving them), in page order, then the first one only partly in view. The first of them still
 * on the page after the update is kept in place: the one the reader saw first may be the very
 * thing the update removed (a resolved incident).
 */
function captureAnchors(): Anchor[] | undefined {
  if (window.scrollY <= 0) return undefined;
  const top = visibleTop();
  const inView: Anchor[] = [];
  let partly: Anchor | undefined;
  for (const element of document.querySelectorAll('[data-keep-place]')) {
    const rect = element.getBoundingClientRect();
    if (rect.top >= window.innerHeight) break;
    if (rect.top >= top) inView.push({ element, top: rect.top });
    else if (!partly && rect.bottom > top) partly = { element, top: rect.top };
  }
  const anchors = partly ? [...inView, partly] : inView;
  return anchors.length > 0 ? anchors : undefined;
}

/**
 * Returns `keep(update)`: runs the state update, and once the page has re-rendered, restores the
 * position of what was on screen.
 */
export function useKeepPlace(): (update: () => void) => void {
  const pending = useRef<Anchor[] | undefined>(undefined);
  useLayoutEffect(() => {
    const anchors = pending.current;
    pending.current = undefined;
    const anchor = anchors?.find((a) => a.element.isConnected);
    if (!anchor) return;
    const moved = anchor.element.getBoundingClientRect().top - anchor.top;
    if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
  });
  return (update) => {
    pending.current ??= captureAnchors();
    update();
  };
}
