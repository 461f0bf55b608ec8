import { useEffect, useRef } from 'preact/hooks';
import { detectLock, useSignInNeeded } from './api/auth';
import { api } from './api/endpoints';
import { Header } from './components/Header';
import { matchRoute, type Route } from './lib/routes';
import { ComparePage } from './pages/ComparePage';
import { IncidentPage } from './pages/IncidentPage';
import { IncidentsPage } from './pages/IncidentsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OverviewPage } from './pages/OverviewPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { interceptLinks, useLocation } from './router/router';
import { useApi } from './state/hooks';
import { MetaContext } from './state/meta';
import { ErrorBoundary } from './components/ErrorBoundary';
import { lazyPage } from './components/lazy';
import { SignIn } from './components/SignIn';

const FlowMapPage = lazyPage(() => import('./pages/FlowMapPage').then((m) => m.FlowMapPage), 'the flow map');

const TITLES: Record<Route['page'], string> = {
  overview: 'Overview',
  map: 'Flow map',
  runs: 'Runs',
  run: 'Run',
  incidents: 'Incidents',
  incident: 'Incident',
  compare: 'Compare runs',
  'not-found': 'Not found',
};

function Page({ route, search }: { route: Route; search: string }) {
  const params = new URLSearchParams(search);
  switch (route.page) {
    case 'overview':
      return <OverviewPage params={params} />;
    case 'map':
      return <FlowMapPage params={params} />;
    case 'runs':
      return <RunsPage search={search} />;
    case 'run':
      return <RunPage runId={route.runId} params={params} />;
    case 'incidents':
      return <IncidentsPage params={params} />;
    case 'incident':
      return <IncidentPage incidentId={route.incidentId} />;
    case 'compare':
      return <ComparePage params={params} />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

/** The dashboard: header, and the page the URL names. */
export function App() {
  const location = useLocation();
  const route = matchRoute(location.pathname);
  const meta = useApi(api.meta());
  const mainRef = useRef<HTMLElement>(null);
  const signInNeeded = useSignInNeeded();
  const firstRender = useRef(true);
  const wasSignedOut = useRef(signInNeeded);

  useEffect(() => interceptLinks(document), []);

  // The API answered: is it open, or did our session cookie open it? ("Sign out" only for the latter.)
  useEffect(() => {
    if (meta.data) void detectLock();
  }, [meta.data]);

  // Signed in (no reload): what was refused while signed out is asked again (the page itself
  // mounts afresh), and focus goes to the content the form made way for.
  useEffect(() => {
    if (wasSignedOut.current && !signInNeeded) {
      meta.reload();
      mainRef.current?.focus({ preventScroll: true });
    }
    wasSignedOut.current = signInNeeded;
  }, [signInNeeded]);

  // A new page (not a filter change): tell screen readers by moving focus to the content.
  useEffect(() => {
    document.title = `${TITLES[route.page]} · hoptrace`;
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  return (
    <MetaContext.Provider value={meta}>
      <Header page={route.page} version={signInNeeded ? undefined : meta.data?.version} />
      <main id="main" ref={mainRef} tabIndex={-1}>
        {signInNeeded ? (
          <SignIn />
        ) : (
          <ErrorBoundary key={location.pathname}>
            <Page route={route} search={location.search} />
          </ErrorBoundary>
        )}
      </main>
    </MetaContext.Provider>
  );
}
