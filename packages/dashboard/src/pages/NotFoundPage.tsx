/** Any path the dashboard has no page for. */
export function NotFoundPage({ path }: { path: string }) {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>.
      </p>
      <ul class="link-list">
        <li>
          <a href="/">Overview</a>: every probe, its recent runs and open incidents
        </li>
        <li>
          <a href="/map">Flow map</a>: each probe’s expected path and where runs went
        </li>
        <li>
          <a href="/runs">Runs</a>: every run, with filters
        </li>
        <li>
          <a href="/incidents">Incidents</a>
        </li>
      </ul>
    </section>
  );
}
