import { type Overview, type RunSummary } from '@hoptrace/core/api';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api/endpoints';
import { ErrorPanel, Loading } from '../components/ErrorPanel';
import { TimeText } from '../components/TimeText';
import { WindowPicker } from '../components/WindowPicker';
import { createBatcher, createThrottle } from '../lib/batch';
import { applyIncidentEvent } from '../lib/incident-words';
import { overviewHref, parseWindow } from '../lib/routes';
import { applyLiveRuns, mergeRefetched } from '../lib/strip';
import { browserTimers, onNextFrame, useApi, useLive } from '../state/hooks';
import { useMeta } from '../state/meta';
import { useKeepPlace } from '../state/scroll-anchor';
import { OpenIncidents } from './OpenIncidents';
import { ProbeBlock } from './ProbeBlock';

/** Cells per strip. */
const SLOTS = 60;
/** Stats and charts refetch at most this often while runs stream in. */
const REFETCH_MS = 5000;

/**
 * `/`: open incidents, then one block per probe. Live runs go into the strips once per animation
 * frame; stats, charts and markers follow with a throttled refetch. Nothing reloads, nothing
 * jumps: refetched data replaces the old in place.
 */
export function OverviewPage({ params }: { params: URLSearchParams }) {
  const window = parseWindow(params.get('window'));
  const meta = useMeta();
  const loaded = useApi(api.overview(window, SLOTS), true);
  const [view, setView] = useState<Overview | undefined>(undefined);
  const keep = useKeepPlace();

  // A refetch replaces the view, keeping live cells it does not know yet.
  useEffect(() => {
    const fresh = loaded.data;
    if (!fresh) return;
    keep(() =>
      setView((old) =>
        old && old.window === fresh.window
          ? { ...fresh, probes: mergeRefetched(old.probes, fresh.probes, SLOTS) }
          : fresh,
      ),
    );
  }, [loaded.data]);

  const reloadRef = useRef(loaded.reload);
  reloadRef.current = loaded.reload;
  const live = useMemo(() => {
    const refetch = createThrottle(() => reloadRef.current(), REFETCH_MS, browserTimers);
    const runs = createBatcher<RunSummary>((batch) => {
      setView((old) => {
        if (!old) return old;
        const probes = applyLiveRuns(old.probes, batch, SLOTS);
        return probes === old.probes ? old : { ...old, probes };
      });
      refetch.call();
    }, onNextFrame);
    return { refetch, runs };
  }, []);
  useEffect(
    () => () => {
      live.refetch.cancel();
      live.runs.cancel();
    },
    [live],
  );

  useLive({
    run: (run) => live.runs.push(run),
    incident: (event) => {
      keep(() =>
        setView((old) =>
          old ? { ...old, openIncidents: applyIncidentEvent(old.openIncidents, event.incident) } : old,
        ),
      );
      live.refetch.call();
    },
    resync: () => loaded.reload(),
  });

  const shown = view && view.window === window ? view : undefined;
  const windows = meta.data?.windows.length ? meta.data.windows : undefined;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Overview</h1>
        <WindowPicker value={window} hrefFor={overviewHref} {...(windows ? { windows } : {})} />
        {shown && (
          <span class="muted small updated">
            stats as of <TimeText time={shown.generatedAt} />
            {loaded.loading && ' · updating…'}
          </span>
        )}
      </div>
      {loaded.failure && <ErrorPanel failure={loaded.failure} what="the overview" onRetry={loaded.reload} />}
      {!shown && !loaded.failure && <Loading what="the overview" />}
      {shown && (
        <>
          {shown.storage === 'unavailable' && (
            <div class="notice notice-error" role="alert">
              <p class="notice-title">Storage is unavailable</p>
              <p>
                hoptrace could not read its storage (Redis): strips and incidents below are empty because they are
                unknown, not because nothing happened.
              </p>
            </div>
          )}
          <OpenIncidents incidents={shown.openIncidents} storageDown={shown.storage === 'unavailable'} />
          {shown.probes.length === 0 && <p class="muted">No probes are configured.</p>}
          {shown.probes.map((probe) => (
            <ProbeBlock key={probe.name} probe={probe} window={window} slots={SLOTS} />
          ))}
        </>
      )}
    </section>
  );
}
