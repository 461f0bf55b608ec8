import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_PROBE_NAME, ATTR_RUN_ID } from '@hoptrace/core';

/** A random W3C trace id. */
export function traceId(): string {
  return randomBytes(16).toString('hex');
}

/** A random W3C span id. */
export function spanId(): string {
  return randomBytes(8).toString('hex');
}

/** Options of one hop span. */
export interface HopSpanOptions {
  probe?: string;
  /** Span name (becomes the hop's operation). */
  name?: string;
  kind?: SpanKind.SERVER | SpanKind.CONSUMER;
  /** The run's trace; a new one when not given. */
  traceId?: string;
}

/**
 * Makes real SDK spans the way a service does: a `BasicTracerProvider` with a resource, spans
 * ended through a `SimpleSpanProcessor` into an `InMemorySpanExporter`, from which they are taken
 * as the `ReadableSpan`s an exporter receives. Hop spans are SERVER spans started under a remote
 * parent (the caller's span, as extracted from `traceparent`) with run id and probe name set.
 */
export class SpanSource {
  readonly memory = new InMemorySpanExporter();
  readonly provider: BasicTracerProvider;
  readonly tracer: Tracer;

  /**
   * `processors` replace the in-memory recording when given (then `hops()` returns nothing and
   * ended spans go only to those processors, as in a service).
   */
  constructor(
    readonly service = 'checkout',
    readonly instance = 'checkout-1',
    processors?: SpanProcessor[],
  ) {
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': instance }),
      spanProcessors: processors ?? [new SimpleSpanProcessor(this.memory)],
    });
    this.tracer = this.provider.getTracer('hoptrace-exporter-integration');
  }

  /** Ends `count` hop spans of `runId` (one trace, each under its own remote parent) and returns them. */
  hops(runId: string, count = 1, options: HopSpanOptions = {}): ReadableSpan[] {
    const trace_ = options.traceId ?? traceId();
    for (let i = 0; i < count; i++) {
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: trace_,
        spanId: spanId(),
        traceFlags: 1,
        isRemote: true,
      });
      const span = this.tracer.startSpan(
        options.name ?? `GET /hop/${i}`,
        {
          kind: options.kind ?? SpanKind.SERVER,
          attributes: { [ATTR_RUN_ID]: runId, [ATTR_PROBE_NAME]: options.probe ?? 'deposit-voicemail' },
        },
        parent,
      );
      span.end();
    }
    return this.take();
  }

  /**
   * Spans that are not hops: ordinary traffic (a SERVER span with no run id), a probe's CLIENT
   * span, and a probe's local child SERVER span (its parent is in this process).
   */
  nonHops(runId: string): ReadableSpan[] {
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: traceId(),
      spanId: spanId(),
      traceFlags: 1,
      isRemote: true,
    });
    this.tracer.startSpan('GET /ordinary', { kind: SpanKind.SERVER }, remote).end();
    const probeAttributes = { [ATTR_RUN_ID]: runId, [ATTR_PROBE_NAME]: 'deposit-voicemail' };
    const root = this.tracer.startSpan('GET /probe', { kind: SpanKind.SERVER, attributes: probeAttributes }, remote);
    const inner = trace.setSpan(remote, root);
    this.tracer.startSpan('POST /downstream', { kind: SpanKind.CLIENT, attributes: probeAttributes }, inner).end();
    this.tracer.startSpan('nested server', { kind: SpanKind.SERVER, attributes: probeAttributes }, inner).end();
    // The root itself is a hop: leave it unended so it is not returned.
    return this.take();
  }

  /** Finished spans so far, removed from the in-memory exporter. */
  take(): ReadableSpan[] {
    const spans = this.memory.getFinishedSpans();
    this.memory.reset();
    return [...spans];
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/** What one `export()` call did: its result, how long until the callback, how often it was called. */
export interface ExportOutcome {
  result: ExportResult;
  elapsedMs: number;
  /** Callback calls so far (read it again later to check "exactly once"). */
  calls: () => number;
}

/** Calls `exporter.export(spans, cb)` and resolves at the first callback. */
export function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportOutcome> {
  return new Promise((resolve) => {
    let calls = 0;
    const started = performance.now();
    exporter.export(spans, (result) => {
      calls += 1;
      if (calls === 1) resolve({ result, elapsedMs: performance.now() - started, calls: () => calls });
    });
  });
}

/**
 * Waits until the exporter's own client is connected. Its client has no offline queue (it fails
 * fast), so an export issued while it is still connecting is dropped as `redis_unavailable`.
 */
export async function untilReady(client: { status: string }, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (client.status !== 'ready') {
    if (Date.now() > deadline)
      throw new Error(`Redis client not ready after ${timeoutMs} ms (status ${client.status})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
