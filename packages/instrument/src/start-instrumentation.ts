import { diag, trace, type Sampler } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as OtlpJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import type * as ExpressModule from '@opentelemetry/instrumentation-express';
import type * as HttpModule from '@opentelemetry/instrumentation-http';
import type * as IORedisModule from '@opentelemetry/instrumentation-ioredis';
import type * as UndiciModule from '@opentelemetry/instrumentation-undici';
import { parseProbeKeyRing, type ProbeKeyRing } from '@hoptrace/core';
import { HopExportStats, HopSpanProcessor, RedisHopExporter, type SpanProcessor } from '@hoptrace/redis-exporter';
import { AmqplibInstrumentation } from './brokers/amqplib-instrumentation';
import type { BrokerTracingOptions } from './brokers/message-hop';
import { NatsInstrumentation } from './brokers/nats-instrumentation';
import { startFastifyServerSpans } from './fastify';
import { getInstrumentationState, setInstrumentationState } from './global-state';
import { defaultMode, type HoptraceMode } from './mode';
import { optionsFromEnv } from './options-from-env';
import { ExpressErrorInstrumentation, startProbeOnlyTracing } from './probe-only';
import { ProbeSampler } from './probe-sampler';
import { ProbeVerifier } from './probe-verifier';
import { DestinationAllowList, ProbeBaggagePropagator, ProbeTokenScope } from './propagation';
import { samplerFromEnv } from './sampler-from-env';
import { sdkChoice, type SdkLine } from './sdk-line';
import type { HoptraceInstrumentation, HoptraceStats, InstrumentationOptions, OtlpOptions } from './types';

const TRACER_NAME = '@hoptrace/instrument';

/**
 * Message brokers, traced by hoptrace's own instrumentations in both modes (the same hop record
 * as for the Redis Stream helpers; probe-only mode looks at probes only).
 */
function brokerInstrumentations(tracing: BrokerTracingOptions): Instrumentation[] {
  return [new AmqplibInstrumentation(tracing), new NatsInstrumentation(tracing)];
}

/**
 * The instrumentations enabled when none are given: Express over http, fetch, ioredis, RabbitMQ,
 * NATS. OpenTelemetry's are loaded here, only when full mode asks for them: a probe-only service
 * does not carry their code (loaded code alone cost ordinary requests measurably, see
 * docs/probe-only.md).
 */
export function defaultInstrumentations(): Instrumentation[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpModule;
  const { ExpressInstrumentation, ExpressLayerType } =
    require('@opentelemetry/instrumentation-express') as typeof ExpressModule;
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof UndiciModule;
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof IORedisModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return [
    ...brokerInstrumentations({ probeOnly: false }),
    new HttpInstrumentation(),
    // No spans for middleware layers: they cost every request (sampled or not) and say little;
    // the route, and the request handler's span (with its exceptions), are kept.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new UndiciInstrumentation(),
    // requireParentSpan: only commands issued while handling a traced request become spans.
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
}

/** The probe-aware sampler around `delegate` (yours or the default), for SDK setups of your own. */
export function createProbeSampler(
  secret: string | ProbeKeyRing,
  delegate = samplerFromEnv(undefined, undefined),
  options: { clockSkewMs?: number } = {},
): ProbeSampler {
  const keys = typeof secret === 'string' ? parseProbeKeyRing(secret) : secret;
  return new ProbeSampler(delegate, new ProbeVerifier(keys, options));
}

function otlpProcessor(otlp: OtlpOptions, sdk: SdkLine): SpanProcessor {
  const config = { url: otlp.url, headers: otlp.headers };
  // Loaded only when OTLP is on: the exporters (protobuf included) cost memory in every service.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const exporter =
    otlp.protocol === 'http/json'
      ? new (require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpJson).OTLPTraceExporter(config)
      : new (require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto).OTLPTraceExporter(config);
  /* eslint-enable @typescript-eslint/no-require-imports */
  return sdk.batchProcessor(exporter);
}

/** The allow-list of `propagateTo`; bad entries go to `diag` (those from the environment were reported already). */
function tokenScope(propagateTo: string | readonly string[] | undefined): ProbeTokenScope {
  const { list, issues } = DestinationAllowList.parse(propagateTo);
  for (const issue of issues) diag.warn(`hoptrace: propagateTo: ${issue}`);
  return new ProbeTokenScope(list);
}

function mergeOptions(options: InstrumentationOptions): InstrumentationOptions & { disabled: boolean } {
  if (options.env === false) return { ...options, disabled: false };
  const fromEnv = optionsFromEnv(options.env ?? process.env);
  for (const issue of fromEnv.issues) diag.warn(`hoptrace: ${issue.path}: ${issue.message}`);
  const env = fromEnv.options;
  return {
    ...env,
    ...options,
    exporter: { ...env.exporter, ...options.exporter },
    hopQueue: { ...env.hopQueue, ...options.hopQueue },
    disabled: fromEnv.disabled,
  };
}

/**
 * Starts OpenTelemetry tracing for this process, made probe-aware:
 * - probe runs (requests with a valid probe token in baggage) are always sampled, and each hop
 *   is written to Redis as a hop record;
 * - in full mode, ordinary traffic is sampled as `sampler` (or `OTEL_TRACES_SAMPLER`) says and
 *   never touches Redis; in probe-only mode it is not traced at all;
 * - every sampled span goes to OTLP when an endpoint is configured;
 * - your own span processors run first, unchanged.
 *
 * Registers the global tracer provider, context manager and W3C propagators (trace context and
 * baggage, the probe's baggage member sent only to `propagateTo` destinations). Throws `HoptraceError` for invalid options; after start it never throws.
 */
export function startInstrumentation(input: InstrumentationOptions = {}): HoptraceInstrumentation {
  const options = mergeOptions(input);
  const mode = options.mode ?? defaultMode(options);
  if (options.disabled) return disabledHandle('OTEL_SDK_DISABLED=true', mode);
  if (getInstrumentationState()) {
    diag.warn('hoptrace: instrumentation is already started in this process; ignoring the second start');
    return disabledHandle('already started', mode);
  }

  const { sdk, problem } = sdkChoice();
  if (problem) (options.onWarning ?? diag.warn)(problem);
  const keys =
    options.secret === undefined
      ? undefined
      : typeof options.secret === 'string'
        ? parseProbeKeyRing(options.secret)
        : options.secret;
  const verifier = keys ? new ProbeVerifier(keys, { clockSkewMs: options.clockSkewMs }) : undefined;
  // Probe-only: the sampler is asked only about probe candidates, and says no to all but probes.
  const sampler: Sampler =
    mode === 'probe-only' ? sdk.samplers.alwaysOff() : (options.sampler ?? samplerFromEnv(undefined, undefined));

  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  let hopProcessor: HopSpanProcessor | undefined;
  if (verifier) {
    const exporter = new RedisHopExporter({
      ...options.exporter,
      redis: options.redis,
      redisUrl: options.redisUrl,
      onWarning: options.onWarning,
    });
    hopProcessor = new HopSpanProcessor(exporter, options.hopQueue);
    spanProcessors.push(hopProcessor);
  }
  if (options.otlp) spanProcessors.push(otlpProcessor(options.otlp, sdk));

  const provider = sdk.provider({
    resource: sdk.resource({
      ...options.resourceAttributes,
      ...(options.serviceName ? { 'service.name': options.serviceName } : {}),
    }),
    sampler: verifier ? new ProbeSampler(sampler, verifier) : sampler,
    spanProcessors,
  });
  // W3C Baggage with the probe token kept inside: to a destination outside `propagateTo` the
  // probe's member is left out of what OpenTelemetry injects (http, https, fetch, brokers).
  const scope = tokenScope(options.propagateTo);
  sdk.register(
    provider,
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new ProbeBaggagePropagator(scope)],
    }),
  );
  const unload = registerInstrumentations({
    tracerProvider: provider,
    instrumentations:
      mode === 'probe-only'
        ? [
            new ExpressErrorInstrumentation(),
            ...brokerInstrumentations({ probeOnly: true }),
            ...(options.instrumentations ?? []),
          ]
        : (options.instrumentations ?? defaultInstrumentations()),
  });
  const probeOnly = mode === 'probe-only' ? startProbeOnlyTracing(provider.getTracer(TRACER_NAME)) : undefined;
  // Full mode: Fastify's route (http.route) and handler errors on the http SERVER span, from
  // Fastify's own diagnostics channel (probe-only mode reads it in startProbeOnlyTracing).
  const fastifyServerSpans = mode === 'full' ? startFastifyServerSpans() : undefined;
  let stopping: Promise<void> | undefined;
  const handle: HoptraceInstrumentation = {
    mode,
    probesEnabled: verifier !== undefined,
    sdk: { line: sdk.line, version: sdk.version, source: sdk.source },
    stats(): HoptraceStats {
      const base = (hopProcessor?.stats ?? new HopExportStats()).snapshot();
      return {
        ...base,
        queued: hopProcessor?.queueLength ?? 0,
        rejectedTokens: { ...(verifier?.rejected ?? {}) },
        probeCandidates: probeOnly?.candidates ?? 0,
        tokensWithheld: { ...scope.withheld },
      };
    },
    forceFlush: () => provider.forceFlush(),
    shutdown(): Promise<void> {
      stopping ??= (async () => {
        probeOnly?.stop();
        fastifyServerSpans?.stop();
        unload();
        setInstrumentationState(undefined);
        await provider.shutdown();
        trace.disable();
      })();
      return stopping;
    },
  };
  setInstrumentationState({ verifier, handle, tokenScope: scope });
  return handle;
}

/** The running instrumentation (started by `register` or `startInstrumentation`), if any. */
export function getInstrumentation(): HoptraceInstrumentation | undefined {
  return getInstrumentationState()?.handle;
}

function disabledHandle(reason: string, mode: HoptraceMode): HoptraceInstrumentation {
  diag.info(`hoptrace: instrumentation not started (${reason})`);
  const { sdk } = sdkChoice();
  return {
    mode,
    probesEnabled: false,
    sdk: { line: sdk.line, version: sdk.version, source: sdk.source },
    stats: () => ({
      ...new HopExportStats().snapshot(),
      queued: 0,
      rejectedTokens: {},
      probeCandidates: 0,
      tokensWithheld: { request: 0, message: 0 },
    }),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
