import { SpanKind, createContextKey, trace, type Attributes, type Context } from '@opentelemetry/api';
import { DestinationAllowList } from './destination-allow-list';

/** The kinds of call a probe token is held back from: a request to a server, a message to a broker. */
export type WithheldKind = 'request' | 'message';

/** Probe tokens held back, by kind of call. */
export type TokensWithheld = Record<WithheldKind, number>;

/** Where an injection goes, when the code injecting knows better than the span's attributes. */
export interface Destination {
  /** Host as written (name or IP address), e.g. `payments`, `10.0.4.2`, `api.example.com`. */
  host: string;
  port?: number;
  kind: WithheldKind;
}

/**
 * Context key for the destination of the injection made in that context. Set by hoptrace's own
 * client exits (probe-only mode), which know the host the socket connects to even when the app
 * wrote another `Host` header.
 */
export const DESTINATION_KEY = createContextKey('hoptrace injection destination');

/** The fields of an SDK span read here (a recording span is an SDK `Span`, a `ReadableSpan`). */
interface SpanFields {
  kind?: unknown;
  attributes?: Attributes;
}

function portOf(value: unknown): number | undefined {
  const port = typeof value === 'string' ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * The destination of an injection made in `ctx`: the key above, else the CLIENT or PRODUCER
 * span the injection is for (every instrumentation injects with its span in the context), by
 * its `server.address` and `server.port` (or the older `net.peer.name` and `net.peer.port`).
 * Undefined when unknown: no such span, or one that does not say (your own
 * `propagation.inject` in a handler, a message sent without a broker address).
 */
export function destinationOf(ctx: Context): Destination | undefined {
  const given = ctx.getValue(DESTINATION_KEY) as Destination | undefined;
  if (given) return given;
  const span = trace.getSpan(ctx) as SpanFields | undefined;
  if (span === undefined || (span.kind !== SpanKind.CLIENT && span.kind !== SpanKind.PRODUCER)) return undefined;
  const attributes = span.attributes ?? {};
  const host = attributes['server.address'] ?? attributes['net.peer.name'];
  if (typeof host !== 'string' || host === '') return undefined;
  const port = portOf(attributes['server.port'] ?? attributes['net.peer.port']);
  return { host, kind: span.kind === SpanKind.CLIENT ? 'request' : 'message', ...(port ? { port } : {}) };
}

/**
 * Decides whether a probe token may leave with an injection, by its destination and an
 * allow-list, and counts the tokens held back.
 */
export class ProbeTokenScope {
  /** Probe tokens held back so far, by kind of call. */
  readonly withheld: TokensWithheld = { request: 0, message: 0 };

  constructor(readonly allowList: DestinationAllowList = DestinationAllowList.defaults()) {}

  /**
   * The kind of call the injection in `ctx` is for, when the probe token must stay out of it;
   * undefined when it may go (an allowed destination, or one that is not known). Never throws:
   * on an internal fault the token is held back.
   */
  withholdFrom(ctx: Context): WithheldKind | undefined {
    try {
      const destination = destinationOf(ctx);
      if (destination === undefined || this.allowList.allows(destination.host, destination.port)) return undefined;
      return destination.kind;
    } catch {
      return 'request';
    }
  }
}
