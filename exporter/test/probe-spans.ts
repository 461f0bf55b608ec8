// Builds real SDK spans for the unit tests: a BasicTracerProvider with an in-memory exporter.
import { ROOT_CONTEXT, trace, type SpanKind, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export const RUN_ID = 'run-0001';
export const PROBE = 'deposit-voicemail';
export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const REMOTE_PARENT_SPAN_ID = 'b7ad6b7169203331';

/** The attributes the probe sampler stamps on every span of a verified run. */
export const PROBE_ATTRIBUTES: Attributes = { 'hoptrace.run.id': RUN_ID, 'hoptrace.probe.name': PROBE };

/** A context whose span came from another process (as extracted from `traceparent`). */
export function remoteParent(traceId = TRACE_ID, spanId = REMOTE_PARENT_SPAN_ID): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: 1, isRemote: true });
}

export interface SpanLab {
  provider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
  /** Starts a span of `kind` under `parent` (default: a remote parent), with `attributes`. */
  start(name: string, kind: SpanKind, attributes?: Attributes, parent?: Context, startTime?: [number, number]): Span;
  /** Starts and ends a span, and gives back the finished ReadableSpan the SDK exported. */
  finished(name: string, kind: SpanKind, attributes?: Attributes, parent?: Context): ReadableSpan;
}

/** A provider for building spans. `resource` defaults to a recorder service with an instance id. */
export function spanLab(
  options: { resource?: Attributes; sampler?: Sampler; spanProcessors?: SpanProcessor[] } = {},
): SpanLab {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(
      options.resource ?? { 'service.name': 'recorder', 'service.instance.id': 'recorder-1' },
    ),
    sampler: options.sampler ?? new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(exporter), ...(options.spanProcessors ?? [])],
  });
  const tracer = provider.getTracer('hoptrace-unit-test');
  const start: SpanLab['start'] = (name, kind, attributes = {}, parent = remoteParent(), startTime) =>
    tracer.startSpan(name, { kind, attributes, startTime }, parent);
  return {
    provider,
    exporter,
    start,
    finished(name, kind, attributes, parent) {
      start(name, kind, attributes, parent).end();
      const spans = exporter.getFinishedSpans();
      return spans[spans.length - 1]!;
    },
  };
}
