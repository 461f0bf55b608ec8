import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The tracer that starts each run's root span, and how to stop it. */
export interface ProbeTracer {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * The Oamserver's own tracer provider (not the global one: the Oamserver may run inside a
 * process that traces itself). Root spans are always real and sampled; they are exported to
 * OTLP only when an endpoint is configured, so Jaeger shows each run from its root.
 */
export function createProbeTracer(options: { otlpEndpoint?: string; serviceName?: string } = {}): ProbeTracer {
  const spanProcessors: SpanProcessor[] = [];
  if (options.otlpEndpoint) spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'hoptrace-oamserver' }),
    spanProcessors,
  });
  return {
    tracer: provider.getTracer('@hoptrace/oamserver'),
    shutdown: () => provider.shutdown(),
  };
}
