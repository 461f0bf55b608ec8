// The filters of the runs page, and their two spellings: the page's URL query (shareable, Back
// works) and the API's query. The page keeps the URL's raw text so that a malformed value reaches
// the server, which names the field at fault (400, `field`), rather than being silently dropped.
import { type RunSummary, type Verdict } from '@hoptrace/core/api';
import { isVerdict } from './routes';

/** What the runs page filters on. Times are kept as written (epoch ms or ISO 8601). */
export interface RunsFilter {
  probe?: string;
  /** As given; unknown words are kept for the server to refuse. */
  verdicts: string[];
  service?: string;
  instance?: string;
  from?: string;
  to?: string;
  /** Start the list after this cursor (a `next` the API gave out). */
  cursor?: string;
  /** Append new matching runs from the event stream. */
  live: boolean;
}

const TEXT_KEYS = ['probe', 'service', 'instance', 'from', 'to', 'cursor'] as const;

function clean(value: string | null): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

/** The filter a page URL's query string holds. */
export function parseRunsFilter(search: string | URLSearchParams): RunsFilter {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const filter: RunsFilter = { verdicts: [], live: params.get('live') === '1' };
  for (const key of TEXT_KEYS) {
    const value = clean(params.get(key));
    if (value !== undefined) filter[key] = value;
  }
  // `verdict=a,b` and `verdict=a&verdict=b` both work; the page writes the first form.
  const verdicts = params
    .getAll('verdict')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  filter.verdicts = [...new Set(verdicts)];
  return filter;
}

/** The page URL's query string for a filter, in a fixed order (one filter, one URL). */
export function runsFilterToSearch(filter: RunsFilter): string {
  const params = new URLSearchParams();
  if (filter.probe) params.set('probe', filter.probe);
  if (filter.verdicts.length > 0) params.set('verdict', filter.verdicts.join(','));
  if (filter.service) params.set('service', filter.service);
  if (filter.instance) params.set('instance', filter.instance);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.cursor) params.set('cursor', filter.cursor);
  if (filter.live) params.set('live', '1');
  return params.toString();
}

/** `/runs?...` for a filter. */
export function runsHref(filter: Partial<RunsFilter> = {}): string {
  const search = runsFilterToSearch({ verdicts: [], live: false, ...filter });
  return search ? `/runs?${search}` : '/runs';
}

/** The API's query string (GET /api/runs?view=summary...) for a filter, a cursor and a page size. */
export function runsApiQuery(filter: RunsFilter, options: { cursor?: string; limit?: number } = {}): string {
  const params = new URLSearchParams({ view: 'summary' });
  if (filter.probe) params.set('probe', filter.probe);
  if (filter.verdicts.length > 0) params.set('verdict', filter.verdicts.join(','));
  if (filter.service) params.set('service', filter.service);
  if (filter.instance) params.set('instance', filter.instance);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  const cursor = options.cursor ?? filter.cursor;
  if (cursor) params.set('cursor', cursor);
  if (options.limit !== undefined) params.set('limit', String(options.limit));
  return params.toString();
}

/** Whether any filter (other than paging and live) is set. */
export function hasFilters(filter: RunsFilter): boolean {
  return Boolean(
    filter.probe || filter.verdicts.length || filter.service || filter.instance || filter.from || filter.to,
  );
}

/** The verdicts of a filter that are real verdicts (for the checkboxes). */
export function knownVerdicts(filter: RunsFilter): Verdict[] {
  return filter.verdicts.filter(isVerdict);
}

/** A time as written in a filter (epoch ms or ISO 8601) in ms; undefined when unreadable. */
export function filterTimeMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Whether a run (from the live stream) matches a filter the way the server's filter does: service
 * and instance match a hop it went through or the place of its fault.
 */
export function runMatchesFilter(run: RunSummary, filter: RunsFilter): boolean {
  if (filter.probe && run.probe !== filter.probe) return false;
  if (filter.verdicts.length > 0 && !(run.verdict && filter.verdicts.includes(run.verdict))) return false;
  if (filter.service && !(run.fault?.service === filter.service || run.hops.some((h) => h.service === filter.service)))
    return false;
  if (
    filter.instance &&
    !(run.fault?.instance === filter.instance || run.hops.some((h) => h.instance === filter.instance))
  )
    return false;
  const fired = Date.parse(run.firedAt);
  const from = filterTimeMs(filter.from);
  const to = filterTimeMs(filter.to);
  if (from !== undefined && fired < from) return false;
  if (to !== undefined && fired > to) return false;
  return true;
}
