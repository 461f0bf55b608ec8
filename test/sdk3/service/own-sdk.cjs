// A service's own OpenTelemetry 3.x setup with hoptrace's pieces added, as the drop-in README's
// "Running your own OpenTelemetry SDK" shows; preloaded with  node --require ./own-sdk.cjs backend.cjs
const { context, propagation, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { CompositePropagator, W3CTraceContextPropagator } = require('@opentelemetry/core');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { TracerProvider } = require('@opentelemetry/sdk-trace');
const {
  DestinationAllowList,
  HopSpanProcessor,
  ProbeBaggagePropagator,
  ProbeTokenScope,
  RedisHopExporter,
  createProbeSampler,
} = require('@hoptrace/instrument');

const hops = new HopSpanProcessor(
  new RedisHopExporter({ redisUrl: process.env.REDIS_URL, keyPrefix: process.env.HOPTRACE_KEY_PREFIX }),
);
const provider = new TracerProvider({
  resource: resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME,
    'service.instance.id': `${process.env.OTEL_SERVICE_NAME}-1`,
  }),
  sampler: createProbeSampler(process.env.HOPTRACE_SECRET),
  spanProcessors: [hops],
});
const scope = new ProbeTokenScope(DestinationAllowList.parse(process.env.HOPTRACE_PROPAGATE_TO).list);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new ProbeBaggagePropagator(scope)] }),
);
trace.setGlobalTracerProvider(provider);
registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation()] });

globalThis.ownSdkStats = () => ({ ...hops.stats.snapshot(), tokensWithheld: { ...scope.withheld } });
