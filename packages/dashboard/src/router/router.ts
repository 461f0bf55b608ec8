// A History-API router in a few lines: the location is a tiny store, links are plain <a href>
// (so they work with middle-click, "copy link" and without JavaScript reading them), and a click
// on a same-origin link is turned into pushState. Back and Forward fire popstate.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  pathname: string;
  search: string;
}

const listeners = new Set<() => void>();

function current(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

function notify(): void {
  for (const fn of listeners) fn();
}

/** Go to `href` (same origin). `replace` rewrites the current history entry (filters, selections). */
export function navigate(href: string, options: { replace?: boolean; keepScroll?: boolean } = {}): void {
  const url = new URL(href, window.location.href);
  const target = url.pathname + url.search + url.hash;
  if (target === window.location.pathname + window.location.search + window.location.hash) return;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  const samePage = url.pathname === window.location.pathname;
  if (!options.replace && !options.keepScroll && !samePage) window.scrollTo(0, 0);
  notify();
}

/** The current location; re-renders on navigation. */
export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () =>
      setLocation((old) => {
        const now = current();
        return now.pathname === old.pathname && now.search === old.search ? old : now;
      });
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** The href of an <a>, also inside SVG (where `href` is an SVGAnimatedString). */
function anchorHref(anchor: Element): string | null {
  return anchor.getAttribute('href') ?? anchor.getAttribute('xlink:href');
}

/**
 * Turns clicks on same-origin links into client-side navigation. Leaves alone: modified clicks
 * (new tab), other buttons, targets, downloads, other origins, and the API itself.
 */
export function interceptLinks(root: Document): () => void {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor) return;
    const href = anchorHref(anchor);
    if (!href || anchor.hasAttribute('download')) return;
    const target = anchor.getAttribute('target');
    if (target && target !== '_self') return;
    const url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}

/** The current query's value of a parameter. */
export function useSearchParams(): URLSearchParams {
  return new URLSearchParams(useLocation().search);
}
