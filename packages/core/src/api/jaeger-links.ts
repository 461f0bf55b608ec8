// Jaeger UI addresses (see docs/jaeger.md). Shared by the Oamserver, which puts links in its
// answers, and the dashboard, which re-points the embedded trace view when a hop is clicked.

function base(jaegerUiUrl: string): string {
  return jaegerUiUrl.replace(/\/+$/, '');
}

/** Jaeger's page for a trace. */
export function jaegerTraceUrl(jaegerUiUrl: string, traceId: string): string {
  return `${base(jaegerUiUrl)}/trace/${traceId}`;
}

/** Jaeger's page for a trace with one span found (highlighted and scrolled to). */
export function jaegerSpanUrl(jaegerUiUrl: string, traceId: string, spanId: string): string {
  return `${jaegerTraceUrl(jaegerUiUrl, traceId)}?uiFind=${encodeURIComponent(spanId)}`;
}

/** Jaeger's embeddable trace view (no navigation, compact timeline), optionally with a span found. */
export function jaegerEmbedUrl(jaegerUiUrl: string, traceId: string, spanId?: string): string {
  const query = new URLSearchParams({ uiEmbed: 'v0', uiTimelineCollapseTitle: '1', uiTimelineHideMinimap: '1' });
  if (spanId) query.set('uiFind', spanId);
  return `${jaegerTraceUrl(jaegerUiUrl, traceId)}?${query.toString()}`;
}

/** Jaeger's side-by-side comparison of two traces. */
export function jaegerCompareUrl(jaegerUiUrl: string, traceA: string, traceB: string): string {
  return `${base(jaegerUiUrl)}/trace/${traceA}...${traceB}`;
}
