import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as api,
  propagation,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import { routeOf } from './express-route';
import { PROBE_HOP, type HopListener, type ProbeHopState } from './probe-hop-state';

const REQUEST_START = 'http.server.request.start';

/** Longest `baggage` header looked at; W3C's limit for a whole baggage header is 8192 bytes. */
const MAX_BAGGAGE_HEADER = 8192;

interface RequestStart {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** A probe request seen on the channel, waiting for its server to emit it to the app. */
interface Pending {
  request: IncomingMessage;
  context: Context;
}

const EMIT_WRAPPED = Symbol('hoptrace probe-only emit');

/**
 * Probe hops of incoming HTTP requests without patching http: Node publishes every request on
 * the `http.server.request.start` diagnostics channel, synchronously, just before the server
 * emits it to the app. Ordinary traffic pays one look at its `baggage` header. A request whose
 * baggage names the probe key is extracted and offered to the tracer; its sampler verifies the
 * token (an invalid, expired or oversized one gives a non-recording span: ordinary traffic).
 * A probe's request is then handed to the app inside the probe's context, by a wrapper on that
 * server's `emit`, set the first time a probe reaches it.
 */
export class ServerHops {
  /** Requests whose baggage named the probe key (offered to the token check). */
  candidates = 0;
  private _pending: Pending | undefined;
  private readonly _onStart = (message: unknown): void => {
    const baggage = (message as RequestStart).request.headers.baggage;
    if (typeof baggage !== 'string' || !baggage.includes(PROBE_BAGGAGE_KEY)) return;
    try {
      this._startHop(message as RequestStart, baggage);
    } catch {
      // The host's request goes on untraced.
    }
  };

  /** `listener` hears of each probe hop's start and end (Fastify's channel is read only meanwhile). */
  constructor(
    private readonly _tracer: Tracer,
    private readonly _listener?: HopListener,
  ) {}

  start(): void {
    subscribe(REQUEST_START, this._onStart);
  }

  stop(): void {
    unsubscribe(REQUEST_START, this._onStart);
    this._pending = undefined;
  }

  private _startHop({ request, response, server }: RequestStart, baggage: string): void {
    this._pending = undefined;
    this.candidates++;
    if (baggage.length > MAX_BAGGAGE_HEADER) return;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = request.method ?? 'GET';
    const span = this._tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: requestAttributes(request, method) },
      parent,
    );
    if (!span.isRecording()) return; // the token did not verify: ordinary traffic
    const state: ProbeHopState = { span, ended: false };
    (request as IncomingMessage & { [PROBE_HOP]?: ProbeHopState })[PROBE_HOP] = state;
    endWithResponse(request, response, state, this._listener);
    this._listener?.hopStarted();
    wrapEmit(server, this);
    this._pending = { request, context: trace.setSpan(parent, span) };
  }

  /** The context to emit `request` in, once: only the request just seen on the channel has one. */
  takeContext(request: unknown): Context | undefined {
    const pending = this._pending;
    if (pending === undefined || pending.request !== request) return undefined;
    this._pending = undefined;
    return pending.context;
  }
}

function requestAttributes(request: IncomingMessage, method: string) {
  const host = request.headers.host;
  const colon = host ? host.lastIndexOf(':') : -1;
  const query = request.url ? request.url.indexOf('?') : -1;
  return {
    'http.request.method': method,
    'url.path': query >= 0 ? request.url!.slice(0, query) : request.url,
    'url.scheme': (request.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http',
    'server.address': host && colon > 0 ? host.slice(0, colon) : host,
    'server.port': host && colon > 0 ? Number(host.slice(colon + 1)) || undefined : undefined,
    'network.peer.address': request.socket?.remoteAddress,
    'network.protocol.version': request.httpVersion,
    'user_agent.original': request.headers['user-agent'],
  };
}

/**
 * Wraps `server.emit` (this server only, once) so that the request a probe arrived on reaches
 * the app's listeners inside the probe's context. Every other event and request passes straight
 * through.
 */
function wrapEmit(server: Server, hops: ServerHops): void {
  const marked = server as Server & { [EMIT_WRAPPED]?: true };
  if (marked[EMIT_WRAPPED]) return;
  marked[EMIT_WRAPPED] = true;
  const original = server.emit.bind(server);
  server.emit = function emit(this: Server): boolean {
    /* eslint-disable prefer-rest-params -- `arguments` passes every event on without copying it */
    const event: unknown = arguments[0];
    if (event === 'request' || event === 'checkContinue') {
      const ctx = hops.takeContext(arguments[1]);
      const args = arguments;
      if (ctx !== undefined) return api.with(ctx, () => Reflect.apply(original, this, args) as boolean);
    }
    return Reflect.apply(original, this, arguments) as boolean;
    /* eslint-enable prefer-rest-params */
  } as Server['emit'];
}

/** Ends the hop when the answer is sent, or when the connection closes first. */
function endWithResponse(
  request: IncomingMessage,
  response: ServerResponse,
  state: ProbeHopState,
  listener: HopListener | undefined,
): void {
  const { span } = state;
  const end = (finished: boolean): void => {
    if (state.ended) return;
    state.ended = true;
    try {
      finish(span, request, response, finished, state);
    } catch {
      // Never into the host.
    }
    listener?.hopEnded();
  };
  response.once('finish', () => end(true));
  response.once('close', () => end(response.writableFinished));
}

function finish(
  span: Span,
  request: IncomingMessage,
  response: ServerResponse,
  finished: boolean,
  state: ProbeHopState,
): void {
  const status = response.statusCode;
  span.setAttribute('http.response.status_code', status);
  // Express leaves its route on the request; Fastify's came from its channel (FastifyHops).
  const route = routeOf(request) ?? state.route;
  if (route !== undefined) {
    span.setAttribute('http.route', route);
    span.updateName(`${request.method ?? 'GET'} ${route}`);
  }
  if (!finished) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the answer was sent' });
  } else if (status >= 500) {
    // As OpenTelemetry's http instrumentation: a server answering 5xx failed (4xx is the caller's).
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  if (state.error !== undefined) span.recordException(state.error);
  span.end();
}
