import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan, Span } from './sdk-contract';
import {
  ATTR_HOP_ERROR_MESSAGE,
  ATTR_HOP_ERROR_TYPE,
  ATTR_HOP_EXITS,
  ATTR_RUN_ID,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_HOP_EXITS,
  MAX_LABEL_LENGTH,
  UNREACHED_ERROR_CODES,
  encodeHopExit,
  truncate,
  type HopExit,
} from '@hoptrace/core';

/** Most probe spans tracked at once; beyond it new spans are not tracked (exits are a bonus, not a duty). */
const MAX_TRACKED_SPANS = 10_000;

/** Most child spans remembered per hop, to find the exception that failed it. */
const MAX_CHILDREN_PER_HOP = 64;

interface HopEntry {
  span: Span;
  /** The exits so far, each with its span (read again when the hop ends: did it reach anyone?). */
  exits: { exit: HopExit; span: Span }[];
  /** Live child spans: their events can be read even before they end. */
  children: Span[];
}

/** `host:port` of an outgoing call, from the attributes the http and undici instrumentations set at start. */
function peerOf(span: Span): string | undefined {
  const host = span.attributes['server.address'] ?? span.attributes['net.peer.name'];
  const port = span.attributes['server.port'] ?? span.attributes['net.peer.port'];
  if (typeof host !== 'string' || host === '' || host.length > 200) return undefined;
  return typeof port === 'number' || typeof port === 'string' ? `${host}:${port}` : host;
}

/**
 * The error code of a call that reached no process (refused, reset before any answer, unknown
 * host, connect timeout), from the exception its instrumentation recorded (`exception.type` is
 * the error's code); undefined for a call that got an answer, or is still running.
 */
function unreachedCode(span: Span): string | undefined {
  if (span.status.code !== SpanStatusCode.ERROR) return undefined;
  if (span.attributes['http.response.status_code'] !== undefined) return undefined;
  for (const event of span.events) {
    const type = event.name === 'exception' ? event.attributes?.['exception.type'] : undefined;
    if (typeof type === 'string' && UNREACHED_ERROR_CODES.has(type)) return type;
  }
  return undefined;
}

function micros(time: HrTime): number {
  return time[0] * 1_000_000 + Math.floor(time[1] / 1_000);
}

/**
 * Remembers, for each running probe hop, the outgoing calls (CLIENT spans) and messages
 * (PRODUCER spans) started inside it, and writes them onto the hop span as `hoptrace.hop.exits`
 * when it ends, each marked when it reached no process; also the first exception recorded inside
 * it (`hoptrace.hop.error.*`).
 * A later hop's parent span id is one of these, which gives the Oamserver the causal order of
 * hops without comparing clocks of different hosts. Only probe spans are looked at; memory is
 * bounded by MAX_TRACKED_SPANS and released as spans end.
 */
export class HopExitTracker {
  /** span id -> span id of its local root hop. */
  private readonly _hopOf = new Map<string, string>();
  /** hop span id -> the hop and its exits so far. */
  private readonly _hops = new Map<string, HopEntry>();

  onStart(span: Span): void {
    if (typeof span.attributes[ATTR_RUN_ID] !== 'string') return;
    if (this._hopOf.size >= MAX_TRACKED_SPANS) return;
    const id = span.spanContext().spanId;
    const parent = span.parentSpanContext;
    if (parent === undefined || parent.isRemote === true) {
      if (span.kind === SpanKind.SERVER || span.kind === SpanKind.CONSUMER) {
        this._hopOf.set(id, id);
        this._hops.set(id, { span, exits: [], children: [] });
      }
      return;
    }
    const hopId = this._hopOf.get(parent.spanId);
    if (hopId === undefined) return;
    this._hopOf.set(id, hopId);
    const hop = this._hops.get(hopId);
    if (!hop) return;
    if (hop.children.length < MAX_CHILDREN_PER_HOP) hop.children.push(span);
    if (span.kind !== SpanKind.CLIENT && span.kind !== SpanKind.PRODUCER) return;
    // Database calls (ioredis, ...) never lead to another hop: keep the exits for calls that can.
    if (span.attributes['db.system'] !== undefined || span.attributes['db.system.name'] !== undefined) return;
    if (hop.exits.length >= MAX_HOP_EXITS) return;
    const atUs = Math.max(0, micros(span.startTime) - micros(hop.span.startTime));
    const peer = peerOf(span);
    hop.exits.push({ exit: { spanId: id, atUs, ...(peer ? { peer } : {}) }, span });
  }

  /**
   * Called while a span is ending and still writable. For a hop: its exits are written onto it
   * (once, here, rather than at every call it makes), and an exception recorded inside it
   * (Express records it on the request handler span, which may end only after the response) is
   * copied onto the hop, so its record says why it failed.
   */
  onEnding(span: Span): void {
    if (this._hops.size === 0) return; // no probe hop running: ordinary traffic pays nothing
    const hop = this._hops.get(span.spanContext().spanId);
    if (!hop) return;
    if (hop.exits.length > 0) {
      span.setAttribute(
        ATTR_HOP_EXITS,
        hop.exits.map(({ exit, span: call }) => {
          const unreached = unreachedCode(call);
          return encodeHopExit(unreached ? { ...exit, unreached } : exit);
        }),
      );
    }
    if (span.events.some((e) => e.name === 'exception')) return;
    for (const child of hop.children) {
      const exception = child.events.find((e) => e.name === 'exception');
      if (!exception && child.status.code !== SpanStatusCode.ERROR) continue;
      const type = exception?.attributes?.['exception.type'];
      const message = exception?.attributes?.['exception.message'] ?? child.status.message;
      if (typeof type === 'string') span.setAttribute(ATTR_HOP_ERROR_TYPE, truncate(type, MAX_LABEL_LENGTH));
      if (typeof message === 'string' && message !== '') {
        span.setAttribute(ATTR_HOP_ERROR_MESSAGE, truncate(message, MAX_ERROR_MESSAGE_LENGTH));
      }
      return;
    }
  }

  onEnd(span: ReadableSpan): void {
    if (this._hopOf.size === 0) return;
    const id = span.spanContext().spanId;
    this._hopOf.delete(id);
    this._hops.delete(id);
  }

  /** Spans tracked now (for tests and bounds). */
  get size(): number {
    return this._hopOf.size;
  }
}
