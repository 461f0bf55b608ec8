// Plain OpenTelemetry for the bench's `otel` modes: the instrumentations of hoptrace's
// defaultInstrumentations() (packages/instrument/src/start-instrumentation.ts) with the same
// options, W3C trace-context + baggage propagation, the sampler from OTEL_TRACES_SAMPLER(_ARG)
// (the SDK reads them, as the drop-in does) and a BatchSpanProcessor whose exporter drops every
// batch: spans are recorded and batched as with a real exporter, with no network cost (which
// would be the same for any tracing setup and is not what is compared).
'use strict';
const {
  CompositePropagator,
  ExportResultCode,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} = require('@opentelemetry/core');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { ExpressInstrumentation, ExpressLayerType } = require('@opentelemetry/instrumentation-express');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis');
const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');

/** Counts what it is given and reports success: the bench reads the count through GET /_stats. */
class NoopExporter {
  spansExported = 0;
  export(spans, resultCallback) {
    this.spansExported += spans.length;
    resultCallback({ code: ExportResultCode.SUCCESS });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

const exporter = new NoopExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
provider.register({
  propagator: new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  }),
});
registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [
    new HttpInstrumentation(),
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new UndiciInstrumentation(),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ],
});

// For bench/lib/service-stats.mjs (GET /_stats): a global, so the app imports nothing of this.
globalThis[Symbol.for('hoptrace-bench.otel-only')] = {
  stats: () => ({ mode: 'otel', spansExported: exporter.spansExported }),
  forceFlush: () => provider.forceFlush(),
};
