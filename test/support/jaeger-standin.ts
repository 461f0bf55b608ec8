import { createServer, type ServerResponse } from 'node:http';
import { jaegerData, jaegerError, toJaegerTrace, type JaegerTrace } from './jaeger-format';
import { comparePage, findTerms, searchPage, tracePage, type PageOptions } from './jaeger-pages';
import { listenLocally, receiveOtlpTraces, type ReceivedSpan } from './otlp-receiver';

/**
 * A small Jaeger-compatible stand-in for tests (a real Jaeger cannot run on our machines): OTLP/JSON
 * in on `POST /v1/traces`; out, Jaeger's v1 JSON on `GET /api/traces/<id>` and the UI addresses
 * hoptrace links to: `/trace/<id>` (honouring `uiFind` and `uiEmbed=v0`), `/trace/<a>...<b>` and
 * `/search?traceID=...`. It checks addresses and contents, not the real Jaeger UI.
 */
export interface JaegerStandin {
  /** Base URL of the "UI": the value for JAEGER_UI_URL. */
  readonly url: string;
  /** Value for OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=http/json). */
  readonly otlpEndpoint: string;
  /** The spans received for a trace, in arrival order. */
  spans(traceId: string): ReceivedSpan[];
  /** Spans dropped to stay within `maxSpans` (oldest traces first). */
  readonly droppedSpans: number;
  close(): Promise<void>;
}

/** Options of startJaegerStandin. */
export interface JaegerStandinOptions {
  /** Most spans kept, over all traces; past it, whole traces are dropped, oldest first. Default 50,000. */
  maxSpans?: number;
}

const TRACE_ID = /^[0-9a-f]{1,32}$/;

/** Jaeger accepts trace ids in any case and without leading zeros; OTLP sends 32 lower-case hex digits. */
function normalizeTraceId(raw: string): string | undefined {
  const id = raw.toLowerCase();
  return TRACE_ID.test(id) ? id.padStart(32, '0') : undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  // No X-Frame-Options or CSP frame-ancestors: Jaeger sends none, and the dashboard embeds it cross-origin.
  res.writeHead(status, { 'content-type': type }).end(body);
}

export async function startJaegerStandin(options: JaegerStandinOptions = {}): Promise<JaegerStandin> {
  const maxSpans = options.maxSpans ?? 50_000;
  // Insertion order is arrival order of each trace's first span: the oldest trace is the first key.
  const traces = new Map<string, ReceivedSpan[]>();
  let kept = 0;
  let dropped = 0;

  const store = (spans: ReceivedSpan[]): void => {
    for (const span of spans) {
      const id = normalizeTraceId(span.traceId);
      if (!id) continue; // OTLP/JSON ids are hex; a span with another id could never be looked up
      const list = traces.get(id) ?? [];
      if (list.length === 0) traces.set(id, list);
      list.push(span);
      kept++;
    }
    for (const [id, list] of traces) {
      if (kept <= maxSpans) break;
      traces.delete(id);
      kept -= list.length;
      dropped += list.length;
    }
  };
  /** The trace with this id as written in an address, in Jaeger's model; undefined when unknown. */
  const lookup = (raw: string): JaegerTrace | undefined => {
    const id = normalizeTraceId(raw);
    const spans = id === undefined ? undefined : traces.get(id);
    return spans ? toJaegerTrace(id!, spans) : undefined;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      req.resume();
      send(res, 400, 'text/plain; charset=utf-8', 'malformed address');
      return;
    }
    if (req.method === 'POST' && path === '/v1/traces') {
      receiveOtlpTraces(req, res, store);
      return;
    }
    req.resume();
    if (req.method !== 'GET') {
      send(res, 405, 'application/json', JSON.stringify(jaegerError(405, 'method not allowed')));
      return;
    }
    // uiTimelineCollapseTitle, uiTimelineHideMinimap and uiTimelineHideSummary are accepted and ignored.
    const pageOptions: PageOptions = { embed: url.searchParams.get('uiEmbed') === 'v0' };
    const html = 'text/html; charset=utf-8';

    const api = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (api) {
      const trace = lookup(api[1]!);
      if (trace) send(res, 200, 'application/json', JSON.stringify(jaegerData([trace])));
      else send(res, 404, 'application/json', JSON.stringify(jaegerError(404, 'trace not found')));
      return;
    }
    const compare = /^\/trace\/([^/.]+)\.\.\.([^/.]+)$/.exec(path);
    if (compare) {
      const [a, b] = [compare[1]!, compare[2]!];
      send(res, 200, html, comparePage([a, b], [lookup(a), lookup(b)], pageOptions));
      return;
    }
    const single = /^\/trace\/([^/]+)$/.exec(path);
    if (single) {
      const trace = lookup(single[1]!);
      const body = tracePage(single[1]!, trace, findTerms(url.searchParams.get('uiFind')), pageOptions);
      send(res, trace ? 200 : 404, html, body);
      return;
    }
    if (path === '/search') {
      const ids = url.searchParams.getAll('traceID');
      send(res, 200, html, searchPage(ids, ids.map(lookup), pageOptions));
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', `no route ${path} in the Jaeger stand-in`);
  });

  const base = await listenLocally(server);
  return {
    url: base,
    otlpEndpoint: base,
    spans: (traceId) => [...(traces.get(normalizeTraceId(traceId) ?? '') ?? [])],
    get droppedSpans() {
      return dropped;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
