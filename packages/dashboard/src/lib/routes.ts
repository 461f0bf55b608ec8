// Every page has a stable URL. This file is the one place that knows them: matching a path to a
// page, and building links to pages.
import { OVERVIEW_WINDOWS, VERDICTS, type OverviewWindow, type Verdict } from '@hoptrace/core/api';

/** A page and the ids in its path. */
export type Route =
  | { page: 'overview' }
  | { page: 'map' }
  | { page: 'runs' }
  | { page: 'run'; runId: string }
  | { page: 'incidents' }
  | { page: 'incident'; incidentId: string }
  | { page: 'compare' }
  | { page: 'not-found'; path: string };

function decode(part: string): string | undefined {
  try {
    const text = decodeURIComponent(part);
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The page a path names. Incident ids contain slashes: they come percent-encoded in one segment. */
export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '') return { page: 'overview' };
  if (path === '/map') return { page: 'map' };
  if (path === '/runs') return { page: 'runs' };
  if (path === '/incidents') return { page: 'incidents' };
  if (path === '/compare') return { page: 'compare' };
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) {
    const runId = decode(run[1]!);
    if (runId) return { page: 'run', runId };
  }
  const incident = /^\/incidents\/(.+)$/.exec(path);
  if (incident) {
    // Tolerate a hand-typed id with raw slashes too.
    const incidentId = decode(incident[1]!);
    if (incidentId) return { page: 'incident', incidentId };
  }
  return { page: 'not-found', path: pathname };
}

function withQuery(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** `/runs/<id>`, with the hop (span id) selected. */
export function runHref(runId: string, hopSpanId?: string): string {
  const params = new URLSearchParams();
  if (hopSpanId) params.set('hop', hopSpanId);
  return withQuery(`/runs/${encodeURIComponent(runId)}`, params);
}

/** `/incidents/<id>`. */
export function incidentHref(incidentId: string): string {
  return `/incidents/${encodeURIComponent(incidentId)}`;
}

/** `/compare?a=..&b=..`. */
export function compareHref(a?: string, b?: string): string {
  const params = new URLSearchParams();
  if (a) params.set('a', a);
  if (b) params.set('b', b);
  return withQuery('/compare', params);
}

/** The default window of the overview and the map. */
export const DEFAULT_WINDOW: OverviewWindow = '1h';

/** The window a query string asks for; the default for a missing or unknown one. */
export function parseWindow(value: string | null | undefined): OverviewWindow {
  return (OVERVIEW_WINDOWS as readonly string[]).includes(value ?? '') ? (value as OverviewWindow) : DEFAULT_WINDOW;
}

/** Milliseconds in a window. */
export function windowMs(window: OverviewWindow): number {
  const unit = window.slice(-1);
  const n = Number(window.slice(0, -1));
  return n * (unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}

/** `/?window=6h` (the default window is left out, so `/` stays `/`). */
export function overviewHref(window: OverviewWindow): string {
  const params = new URLSearchParams();
  if (window !== DEFAULT_WINDOW) params.set('window', window);
  return withQuery('/', params);
}

/** `/map?probe=..&window=..`. */
export function mapHref(window: OverviewWindow, probe?: string): string {
  const params = new URLSearchParams();
  if (probe) params.set('probe', probe);
  if (window !== DEFAULT_WINDOW) params.set('window', window);
  return withQuery('/map', params);
}

/** The state filter of the incident list. */
export type IncidentsState = 'open' | 'all';

export function parseIncidentsState(value: string | null | undefined): IncidentsState {
  return value === 'all' ? 'all' : 'open';
}

/** `/incidents` (open) or `/incidents?state=all`. */
export function incidentsHref(state: IncidentsState): string {
  return state === 'all' ? '/incidents?state=all' : '/incidents';
}

/** Whether a text is one of the verdicts. */
export function isVerdict(text: string): text is Verdict {
  return (VERDICTS as readonly string[]).includes(text);
}
