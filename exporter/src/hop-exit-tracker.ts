import { SpanKind, type HrTime } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace-base';
import { ATTR_HOP_EXITS, ATTR_RUN_ID, MAX_HOP_EXITS } from '@hoptrace/core';

/** Most probe spans tracked at once; beyond it new spans are not tracked (exits are a bonus, not a duty). */
const MAX_TRACKED_SPANS = 10_000;

interface HopEntry {
  span: Span;
  exits: string[];
}

function micros(time: HrTime): number {
  return time[0] * 1_000_000 + Math.floor(time[1] / 1_000);
}

/**
 * Remembers, for each running probe hop, the outgoing calls (CLIENT spans) and messages
 * (PRODUCER spans) started inside it, and writes them onto the hop span as `hoptrace.hop.exits`.
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
        this._hops.set(id, { span, exits: [] });
      }
      return;
    }
    const hopId = this._hopOf.get(parent.spanId);
    if (hopId === undefined) return;
    this._hopOf.set(id, hopId);
    if (span.kind !== SpanKind.CLIENT && span.kind !== SpanKind.PRODUCER) return;
    const hop = this._hops.get(hopId);
    if (!hop || hop.exits.length >= MAX_HOP_EXITS) return;
    const atUs = Math.max(0, micros(span.startTime) - micros(hop.span.startTime));
    hop.exits.push(`${id}:${atUs}`);
    hop.span.setAttribute(ATTR_HOP_EXITS, [...hop.exits]);
  }

  onEnd(spanId: string): void {
    this._hopOf.delete(spanId);
    this._hops.delete(spanId);
  }

  /** Spans tracked now (for tests and bounds). */
  get size(): number {
    return this._hopOf.size;
  }
}
