import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import {
  SpanKind,
  SpanStatusCode,
  context as api,
  propagation,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@hoptrace/redis-exporter';
import { DESTINATION_KEY, type Destination } from '../propagation';

/** What undici hands its diagnostics channels (the fields used here). */
interface UndiciRequest {
  origin?: unknown;
  method?: unknown;
  path?: unknown;
  addHeader?: (name: string, value: string) => unknown;
}

type RequestFunction = typeof http.request;
type HttpModule = { request: RequestFunction; get: RequestFunction };

/**
 * Exits of probe hops. Only a call made inside a probe hop (its context holds a recording span:
 * in probe-only mode, only probe spans record) becomes a CLIENT span, child of the hop, and
 * carries the probe's `traceparent` and `baggage` on; any other call pays one context lookup.
 *
 * `fetch` needs no patch: undici announces each request on its diagnostics channels
 * (`undici:request:*`) in the caller's context, before sending it, with a way to add headers.
 * `http`/`https` announce a request (`http.client.request.start`) only once its headers are
 * written, too late to add ours: `request` and `get` of both modules are wrapped (and the ES
 * module named exports synced), and the answer and errors come from the `http.client.*` channels.
 */
export class ClientExits {
  private readonly _undiciSpans = new WeakMap<object, Span>();
  private readonly _patched: { module: HttpModule; request: RequestFunction; get: RequestFunction }[] = [];
  /** Each channel with its listener, made safe once (subscribe and unsubscribe need the same function). */
  private readonly _subscriptions: [string, (message: unknown) => void][] = (
    [
      [
        'http.client.response.finish',
        (m) => this._httpResponse(m as { request: ClientRequest; response: IncomingMessage }),
      ],
      ['http.client.request.error', (m) => this._httpError(m as { request: ClientRequest; error: unknown })],
      ['undici:request:create', (m) => this._undiciStart((m as { request: UndiciRequest }).request)],
      [
        'undici:request:headers',
        (m) => this._undiciHeaders(m as { request: object; response: { statusCode?: number } }),
      ],
      ['undici:request:trailers', (m) => this._undiciEnd((m as { request: object }).request)],
      ['undici:request:error', (m) => this._undiciError(m as { request: object; error: unknown })],
    ] as [string, (message: unknown) => void][]
  ).map(([channel, listener]) => [channel, guarded(listener)]);

  constructor(private readonly _tracer: Tracer) {}

  start(): void {
    for (const [channel, listener] of this._subscriptions) subscribe(channel, listener);
    for (const module of [http, https] as HttpModule[]) this._wrapModule(module);
    syncBuiltinESMExports();
  }

  stop(): void {
    for (const [channel, listener] of this._subscriptions) unsubscribe(channel, listener);
    for (const { module, request, get } of this._patched.splice(0)) {
      module.request = request;
      module.get = get;
    }
    syncBuiltinESMExports();
  }

  /**
   * `request` made probe-aware; `get` as Node writes it (`request`, then `end`), on the wrapped
   * `request`, since Node's own `get` calls its module's `request` directly.
   */
  private _wrapModule(module: HttpModule): void {
    const original = module.request;
    const originalGet = module.get;
    this._patched.push({ module, request: original, get: originalGet });
    const onRequest = (req: ClientRequest): void => this._httpStart(req);
    const request = function request(this: unknown, ...args: unknown[]): ClientRequest {
      const req = Reflect.apply(original, this, args) as ClientRequest;
      try {
        onRequest(req);
      } catch {
        // The call goes on untraced.
      }
      return req;
    } as RequestFunction;
    module.request = request;
    module.get = function get(this: unknown, ...args: unknown[]): ClientRequest {
      const req = Reflect.apply(request, this, args) as ClientRequest;
      req.end();
      return req;
    };
  }

  /**
   * A CLIENT span under the active probe hop, or undefined outside probes. The context to inject
   * in names the call's destination, when given, for `HOPTRACE_PROPAGATE_TO`.
   */
  private _startExit(
    method: string,
    attributes: Attributes,
    destination?: Destination,
  ): { span: Span; carrierContext: ReturnType<typeof api.active> } | undefined {
    const active = api.active();
    const parent = trace.getSpan(active);
    if (parent === undefined || !parent.isRecording() || isTracingSuppressed(active)) return undefined;
    const span = this._tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes }, active);
    const carrierContext = trace.setSpan(active, span);
    return {
      span,
      carrierContext: destination ? carrierContext.setValue(DESTINATION_KEY, destination) : carrierContext,
    };
  }

  private _httpStart(request: ClientRequest): void {
    const method = request.method || 'GET';
    const attributes = httpAttributes(request, method);
    const exit = this._startExit(method, attributes, httpDestination(request, attributes));
    if (!exit) return;
    (request as ClientRequest & { [EXIT_SPAN]?: Span })[EXIT_SPAN] = exit.span;
    if (!request.headersSent) {
      propagation.inject(exit.carrierContext, request, {
        set: (carrier, key, value) => carrier.setHeader(key, value),
      });
    }
    // Ends the span if the call ends without a response or an error on the channels (a
    // 'close' listener changes nothing for the caller, unlike 'response' or 'error').
    request.once('close', () => endClient(exit.span));
  }

  private _httpResponse({ request, response }: { request: ClientRequest; response: IncomingMessage }): void {
    const span = exitSpanOf(request);
    if (!span) return;
    if (response.statusCode !== undefined) setResponseStatus(span, response.statusCode);
    response.once('end', () => endClient(span));
    response.once('close', () => endClient(span));
  }

  private _httpError({ request, error }: { request: ClientRequest; error: unknown }): void {
    const span = exitSpanOf(request);
    if (span) failClient(span, error);
  }

  private _undiciStart(request: UndiciRequest): void {
    const method = typeof request.method === 'string' ? request.method : 'GET';
    const exit = this._startExit(method, undiciAttributes(request, method));
    if (!exit) return;
    this._undiciSpans.set(request, exit.span);
    if (typeof request.addHeader !== 'function') return;
    const add = request.addHeader.bind(request);
    propagation.inject(exit.carrierContext, undefined, { set: (_carrier, key, value) => add(key, value) });
  }

  private _undiciHeaders({ request, response }: { request: object; response: { statusCode?: number } }): void {
    const span = this._undiciSpans.get(request);
    if (span && typeof response.statusCode === 'number') setResponseStatus(span, response.statusCode);
  }

  private _undiciEnd(request: object): void {
    const span = this._undiciSpans.get(request);
    if (!span) return;
    this._undiciSpans.delete(request);
    endClient(span);
  }

  private _undiciError({ request, error }: { request: object; error: unknown }): void {
    const span = this._undiciSpans.get(request);
    if (!span) return;
    this._undiciSpans.delete(request);
    failClient(span, error);
  }
}

const EXIT_SPAN = Symbol('hoptrace exit span');

function exitSpanOf(request: ClientRequest): Span | undefined {
  return (request as ClientRequest & { [EXIT_SPAN]?: Span })[EXIT_SPAN];
}

/** The same listener, made safe: a fault of ours never reaches the host's call. */
function guarded(listener: (message: unknown) => void): (message: unknown) => void {
  return (message) => {
    try {
      listener(message);
    } catch {
      // The call goes on untraced.
    }
  };
}

function httpAttributes(request: ClientRequest, method: string): Attributes {
  // The Host header holds host[:port] as the caller asked for it; the port is implied when absent.
  const host = request.getHeader('host');
  const text = typeof host === 'string' ? host : request.host;
  const secure = request.protocol === 'https:';
  const colon = text.lastIndexOf(':');
  const hasPort = colon > 0 && !text.endsWith(']');
  const address = hasPort ? text.slice(0, colon) : text;
  const port = hasPort ? Number(text.slice(colon + 1)) : secure ? 443 : 80;
  return {
    'http.request.method': method,
    'server.address': address.replace(/^\[(.*)\]$/, '$1'),
    'server.port': port,
    'url.full': `${request.protocol}//${text}${request.path}`,
  };
}

/**
 * Where an http/https request goes: the host its socket connects to (`request.host`), which the
 * span's `server.address` (read from the `Host` header, as the caller asked) may not be when the
 * app wrote a `Host` header of its own; the port when the two agree.
 */
function httpDestination(request: ClientRequest, attributes: Attributes): Destination {
  const host = request.host.replace(/^\[(.*)\]$/, '$1');
  const named = attributes['server.address'];
  const port =
    typeof named === 'string' && named.toLowerCase() === host.toLowerCase() ? attributes['server.port'] : undefined;
  return { host, kind: 'request', ...(typeof port === 'number' ? { port } : {}) };
}

function undiciAttributes(request: UndiciRequest, method: string): Attributes {
  const attributes: Attributes = { 'http.request.method': method };
  if (typeof request.origin !== 'string') return attributes;
  try {
    const url = new URL(request.origin);
    attributes['server.address'] = url.hostname.replace(/^\[(.*)\]$/, '$1');
    attributes['server.port'] = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    attributes['url.full'] = `${request.origin}${typeof request.path === 'string' ? request.path : ''}`;
  } catch {
    // An origin that is not a URL: the exit is still recorded, without its peer.
  }
  return attributes;
}

/** As OpenTelemetry's http instrumentation: a client call answered 4xx or 5xx failed. */
function setResponseStatus(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 400) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

function failClient(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const exception = error instanceof Error ? error : String(error);
  span.recordException(exception);
  span.setAttribute('error.type', error instanceof Error ? ((error as { code?: string }).code ?? error.name) : 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}

function endClient(span: Span): void {
  if (span.isRecording()) span.end();
}
