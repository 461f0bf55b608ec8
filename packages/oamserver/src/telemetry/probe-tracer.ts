import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** The OTLP/HTTP encodings the Oamserver exports its root spans in (OTel's names for them). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/** An OTLP/HTTP encoding: `http/protobuf` (OTel's default) or `http/json`. */
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The tracer that starts each run's root span, and how to stop it. */
export interface ProbeTracer {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/** Options of createProbeTracer. */
export interface ProbeTracerOptions {
  /** Export root spans over OTLP/HTTP when set. The exporter reads the URL and headers from the OTEL_EXPORTER_OTLP_* variables itself. */
  otlpEndpoint?: string;
  /** How root spans are encoded on the wire. Default `http/protobuf`. */
  otlpProtocol?: OtlpProtocol;
  /** `service.name` of the root spans. Default `hoptrace-oamserver`. */
  serviceName?: string;
}

/** The OTLP exporter for a protocol: both send to the same URL, only the body's encoding differs. */
export function otlpExporterFor(protocol: OtlpProtocol = 'http/protobuf'): SpanExporter {
  return protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtoExporter();
}

/**
 * The Oamserver's own tracer provider (not the global one: the Oamserver may run inside a
 * process that traces itself). Root spans are always real and sampled; they are exported to
 * OTLP only when an endpoint is configured, so Jaeger shows each run from its root.
 */
export function createProbeTracer(options: ProbeTracerOptions = {}): ProbeTracer {
  const spanProcessors: SpanProcessor[] = [];
  if (options.otlpEndpoint) spanProcessors.push(new BatchSpanProcessor(otlpExporterFor(options.otlpProtocol)));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'hoptrace-oamserver' }),
    spanProcessors,
  });
  return {
    tracer: provider.getTracer('@hoptrace/oamserver'),
    shutdown: () => provider.shutdown(),
  };
}
