// The HTML pages of the Jaeger stand-in: a trace (with uiFind and uiEmbed=v0), two traces side by
// side, and a list of traces. Plain markup with data attributes, so that browser tests can tell
// which spans are shown and which are highlighted. Everything put into the markup is escaped.
import type { JaegerSpan, JaegerTrace } from './jaeger-format';

/** How a page is asked for: Jaeger UI's query parameters that the stand-in honours. */
export interface PageOptions {
  /** `uiEmbed=v0`: no top navigation, `data-embed="v0"` on the body. */
  embed: boolean;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** uiFind's terms: space-separated, empty ones dropped. */
export function findTerms(uiFind: string | null): string[] {
  return (uiFind ?? '').split(/\s+/).filter(Boolean);
}

/** Whether a span matches one of the terms: its span id, its service or its operation name, exactly. */
export function spanMatches(span: JaegerSpan, serviceName: string, terms: readonly string[]): boolean {
  return terms.some((t) => t === span.spanID || t === serviceName || t === span.operationName);
}

function formatMicros(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${us}µs`;
}

/** The spans in tree order (each parent before its children, siblings by start), with their depth. */
function treeOrder(trace: JaegerTrace): { span: JaegerSpan; depth: number }[] {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const children = new Map<string, JaegerSpan[]>();
  const roots: JaegerSpan[] = [];
  for (const span of trace.spans) {
    const parent = span.references.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
    if (parent) children.set(parent, [...(children.get(parent) ?? []), span]);
    else roots.push(span); // a root, or a span whose parent has not arrived
  }
  const out: { span: JaegerSpan; depth: number }[] = [];
  const visit = (span: JaegerSpan, depth: number): void => {
    out.push({ span, depth });
    for (const child of children.get(span.spanID) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return out;
}

function spanTable(trace: JaegerTrace, terms: readonly string[]): { html: string; matched: number } {
  let matched = 0;
  const rows = treeOrder(trace).map(({ span, depth }) => {
    const service = trace.processes[span.processID]?.serviceName ?? '';
    const hit = spanMatches(span, service, terms);
    if (hit) matched++;
    return (
      `<tr data-span-id="${escapeHtml(span.spanID)}"${hit ? ' data-highlighted="true" class="highlighted"' : ''}>` +
      `<td class="service" style="padding-left:${0.5 + depth}em">${escapeHtml(service)}</td>` +
      `<td class="operation">${escapeHtml(span.operationName)}</td>` +
      `<td class="duration">${formatMicros(span.duration)}</td>` +
      `<td class="span-id"><code>${escapeHtml(span.spanID)}</code></td></tr>`
    );
  });
  const html =
    '<table class="spans"><thead><tr><th>service</th><th>operation</th><th>duration</th><th>span id</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`;
  return { html, matched };
}

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 0; }
header.topnav { background: #1f1f1f; color: #fff; padding: 0.5em 1em; }
header.topnav a { color: #9cf; margin-left: 1em; }
main { padding: 1em; }
table.spans { border-collapse: collapse; width: 100%; }
table.spans td, table.spans th { border-bottom: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; }
tr.highlighted { background: #fff1a8; outline: 2px solid #c99a00; }
`;

function page(title: string, body: string, options: PageOptions): string {
  const nav = options.embed
    ? ''
    : '<header class="topnav"><nav>Jaeger UI (hoptrace test stand-in)<a href="/search">Search</a></nav></header>';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<style>${STYLE}</style></head><body${options.embed ? ' data-embed="v0"' : ''}>${nav}<main>${body}</main></body></html>`
  );
}

/** The page of one trace; `trace` undefined when it is unknown. `uiFind` terms highlight spans. */
export function tracePage(
  traceId: string,
  trace: JaegerTrace | undefined,
  terms: string[],
  options: PageOptions,
): string {
  const title = `Trace ${traceId}`;
  if (!trace) return page(title, `<h1>${escapeHtml(title)}</h1><p class="error">trace not found</p>`, options);
  const { html, matched } = spanTable(trace, terms);
  const summary =
    terms.length > 0
      ? `<p class="find-summary" data-matches="${matched}">${matched} of ${trace.spans.length} spans match ` +
        `uiFind "${escapeHtml(terms.join(' '))}"</p>`
      : '';
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${trace.spans.length} spans</p>${summary}${html}`, options);
}

/** Two traces side by side (`/trace/<a>...<b>`). */
export function comparePage(
  ids: [string, string],
  traces: [JaegerTrace | undefined, JaegerTrace | undefined],
  options: PageOptions,
): string {
  const title = `Compare ${ids[0]} ... ${ids[1]}`;
  const columns = ids.map((id, i) => {
    const trace = traces[i];
    const content = trace ? spanTable(trace, []).html : '<p class="error">trace not found</p>';
    return `<section data-trace-id="${escapeHtml(id)}"><h2>Trace ${escapeHtml(id)}</h2>${content}</section>`;
  });
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><div class="compare" data-compare="${escapeHtml(ids.join('...'))}">${columns.join('')}</div>`,
    options,
  );
}

/** A list of traces by id (`/search?traceID=a&traceID=b`). */
export function searchPage(ids: string[], traces: (JaegerTrace | undefined)[], options: PageOptions): string {
  const items = ids.map((id, i) => {
    const trace = traces[i];
    const root = trace?.spans.find((s) => s.references.length === 0);
    const what = trace
      ? `${trace.spans.length} spans${root ? `, root ${escapeHtml(trace.processes[root.processID]?.serviceName ?? '')}: ${escapeHtml(root.operationName)}` : ''}`
      : 'not found';
    return `<li data-trace-id="${escapeHtml(id)}"><a href="/trace/${encodeURIComponent(id)}">${escapeHtml(id)}</a> ${what}</li>`;
  });
  return page('Search', `<h1>Search</h1><ul class="traces">${items.join('')}</ul>`, options);
}
