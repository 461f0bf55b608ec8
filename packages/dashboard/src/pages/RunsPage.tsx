import { type RunSummary, type RunSummariesPage } from '@hoptrace/core/api';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJson } from '../api/client';
import { api } from '../api/endpoints';
import { ErrorPanel, Loading } from '../components/ErrorPanel';
import { RunsTable } from '../components/RunsTable';
import { type ApiFailure } from '../lib/api-failure';
import { createBatcher } from '../lib/batch';
import { plural } from '../lib/format';
import { insertLiveRuns, queueRuns } from '../lib/live-list';
import {
  hasFilters,
  parseRunsFilter,
  runMatchesFilter,
  runsFilterToSearch,
  runsHref,
  type RunsFilter,
} from '../lib/runs-filter';
import { navigate } from '../router/router';
import { framesAtMost, useLive } from '../state/hooks';
import { useMeta } from '../state/meta';
import { RunsFilters } from './RunsFilters';

const PAGE = 50;
/** Live rows kept at the top at most (older ones stay reachable through paging). */
/** Rows kept while live runs pour in at the top (older ones stay reachable through "Older runs"). */
const LIVE_TOP_ROWS = 100;
/** New runs held while the user reads further down. */
const MAX_WAITING = 1000;
/** Live rows are inserted in batches at most this often (each insert re-lays the table out). */
const LIVE_FLUSH_MS = 400;

interface ListState {
  key: string;
  runs: RunSummary[];
  next?: string;
  scanned: number;
  partial: boolean;
  failure?: ApiFailure;
  loading: boolean;
  loadingMore: boolean;
  moreFailure?: ApiFailure;
}

function pageState(key: string, page: RunSummariesPage, before: RunSummary[] = []): ListState {
  const seen = new Set(before.map((r) => r.runId));
  const state: ListState = {
    key,
    runs: [...before, ...page.runs.filter((r) => !seen.has(r.runId))],
    scanned: page.scanned,
    partial: page.partial,
    loading: false,
    loadingMore: false,
  };
  if (page.next) state.next = page.next;
  return state;
}

/** `/runs`: every run, filtered by the URL, paged by cursor, optionally live. */
export function RunsPage({ search }: { search: string }) {
  const filter = useMemo(() => parseRunsFilter(search), [search]);
  const key = runsFilterToSearch({ ...filter, live: false });
  const meta = useMeta();
  const [state, setState] = useState<ListState>({
    key,
    runs: [],
    scanned: 0,
    partial: false,
    loading: true,
    loadingMore: false,
  });
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [nonce, setNonce] = useState(0);
  const controller = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setState((s) => ({
      ...(s.key === key ? s : { runs: [], scanned: 0, partial: false }),
      key,
      loading: true,
      loadingMore: false,
    }));
    getJson(api.runs(filter, { limit: PAGE }).url, api.runs(filter).schema, c.signal).then(
      (result) => {
        if (c.signal.aborted) return;
        setState(
          result.ok
            ? pageState(key, result.data)
            : {
                key,
                runs: [],
                scanned: 0,
                partial: false,
                failure: result.failure,
                loading: false,
                loadingMore: false,
              },
        );
      },
      () => undefined,
    );
    return () => c.abort();
  }, [key, nonce]);

  const more = () => {
    if (!state.next) return;
    const c = new AbortController();
    controller.current = c;
    setState((s) => ({ ...s, loadingMore: true }));
    void getJson(api.runs(filter, { cursor: state.next, limit: PAGE }).url, api.runs(filter).schema, c.signal).then(
      (result) => {
        if (c.signal.aborted) return;
        setState((s) => {
          if (s.key !== key) return s;
          if (!result.ok) {
            const { moreFailure: _old, ...rest } = s;
            return { ...rest, loadingMore: false, moreFailure: result.failure };
          }
          return pageState(key, result.data, s.runs);
        });
      },
      () => undefined,
    );
  };

  // Live: at the top of the list, matching runs go in (a few times a second); further down, where
  // the user is reading, they wait behind a "n new runs" button, so nothing moves under the reader.
  const filterRef = useRef<RunsFilter>(filter);
  filterRef.current = filter;
  const topRef = useRef<HTMLDivElement>(null);
  const [waiting, setWaiting] = useState<RunSummary[]>([]);
  const waitingRef = useRef<RunSummary[]>([]);
  waitingRef.current = waiting;
  // Only called with the top of the list in view (or about to be): new rows are meant to be seen.
  const showRuns = (runs: RunSummary[], cap: number) => {
    setState((s) => {
      const list = insertLiveRuns(s.next ? { runs: s.runs, next: s.next } : { runs: s.runs }, runs, cap);
      const { next: _old, ...rest } = s;
      return list.next ? { ...rest, runs: list.runs, next: list.next } : { ...rest, runs: list.runs };
    });
    setFresh(new Set(runs.map((r) => r.runId)));
  };
  const batcher = useMemo(
    () =>
      createBatcher<RunSummary>((batch) => {
        const matching = batch.filter((r) => runMatchesFilter(r, filterRef.current));
        if (matching.length === 0) return;
        const atTop = (topRef.current?.getBoundingClientRect().bottom ?? 0) > 0;
        if (atTop) {
          showRuns([...waitingRef.current, ...matching], LIVE_TOP_ROWS);
          if (waitingRef.current.length > 0) setWaiting([]);
        } else {
          setWaiting((w) => queueRuns(w, matching, MAX_WAITING));
        }
      }, framesAtMost(LIVE_FLUSH_MS)),
    [],
  );
  const showWaiting = () => {
    showRuns(waitingRef.current, Math.max(LIVE_TOP_ROWS, state.runs.length + waitingRef.current.length));
    setWaiting([]);
    topRef.current?.scrollIntoView({ block: 'start' });
  };
  useEffect(() => () => batcher.cancel(), [batcher]);
  useLive({
    run: (run) => {
      if (filterRef.current.live) batcher.push(run);
    },
    resync: () => {
      if (filterRef.current.live) setNonce((n) => n + 1);
    },
  });

  useEffect(() => {
    if (!filter.live) setWaiting([]);
  }, [filter.live, key]);
  const setLive = (on: boolean) => navigate(runsHref({ ...filter, live: on }), { replace: true, keepScroll: true });
  const probes = meta.data?.probes ?? [];

  return (
    <section class="page">
      <div class="page-head">
        <h1>Runs</h1>
        <label
          class="toggle"
          title={filter.to ? 'Live adds new runs; with a “to” time set, none can match.' : undefined}
        >
          <input
            type="checkbox"
            role="switch"
            checked={filter.live && !filter.to}
            disabled={Boolean(filter.to)}
            onChange={(e) => setLive((e.target as HTMLInputElement).checked)}
          />
          Live: add new matching runs at the top
        </label>
      </div>
      <RunsFilters filter={filter} probes={probes} />
      {state.failure && <ErrorPanel failure={state.failure} what="runs" onRetry={() => setNonce((n) => n + 1)} />}
      {state.loading && state.runs.length === 0 && !state.failure && <Loading what="runs" />}
      {!state.failure && !(state.loading && state.runs.length === 0) && (
        <>
          <p class="muted small list-summary" aria-live="polite">
            {state.runs.length === 0
              ? hasFilters(filter)
                ? 'No run matches these filters yet.'
                : 'No runs stored yet.'
              : `Showing ${plural(state.runs.length, 'run')}, newest first${filter.cursor ? ' (starting after a cursor)' : ''}.`}
            {state.loading && ' Updating…'}
          </p>
          <div ref={topRef} class="list-top" />
          {/* Always there, empty or not: appearing would add a gap to the page's layout. */}
          <div class="new-runs-bar">
            {waiting.length > 0 && (
              <button type="button" class="button primary" onClick={showWaiting}>
                ↑ Show {plural(waiting.length, 'new run')}
                {waiting.length >= MAX_WAITING ? ' (and more)' : ''}
              </button>
            )}
          </div>
          {state.runs.length > 0 && <RunsTable runs={state.runs} caption="Runs, newest first" freshIds={fresh} />}
          <div class="paging">
            {state.moreFailure && <ErrorPanel failure={state.moreFailure} what="older runs" />}
            {state.partial && state.next ? (
              <p>
                Searched {plural(state.scanned, 'stored run')}
                {state.runs.length === 0 ? ', no match yet' : ', no more matches yet'}.{' '}
                <button type="button" class="button" onClick={more} disabled={state.loadingMore}>
                  {state.loadingMore ? 'Searching…' : 'Search further'}
                </button>
              </p>
            ) : state.next ? (
              <button type="button" class="button" onClick={more} disabled={state.loadingMore}>
                {state.loadingMore ? 'Loading…' : 'Older runs'}
              </button>
            ) : (
              state.runs.length > 0 && <p class="muted small">No older runs.</p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
