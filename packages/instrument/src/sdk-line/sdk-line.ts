import type { Attributes, Sampler, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@hoptrace/redis-exporter';

/** Which OpenTelemetry trace SDK makes the spans, and where it was found. */
export interface SdkLineInfo {
  /** `2.x` (`@opentelemetry/sdk-trace-node`, api 1.3-1.9) or `3.x` (`@opentelemetry/sdk-trace`, api 1.10). */
  readonly line: '2.x' | '3.x';
  /** The trace SDK package's version. */
  readonly version: string;
  /** `bundled` (the drop-in's own) or `service` (installed by the service, beside its `@opentelemetry/api`). */
  readonly source: 'bundled' | 'service';
}

/** The start-up line that says which SDK makes the spans. */
export function describeSdk(sdk: SdkLineInfo): string {
  return sdk.source === 'service'
    ? `OpenTelemetry SDK ${sdk.version} (the service's own ${sdk.line} line, found beside its @opentelemetry/api)`
    : `OpenTelemetry SDK ${sdk.version} (the drop-in's own ${sdk.line} line)`;
}

/** A tracer provider as both lines make it. */
export interface SdkTracerProvider extends TracerProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The few SDK classes the drop-in builds its tracing from, behind one interface so that the rest
 * of it does not care which line is in use: the two lines differ in package names, in the
 * `BatchSpanProcessor` constructor, in how a provider is registered and in whether `OTEL_BSP_*`
 * is read by the SDK. Everything else (span processors, exporters, samplers, propagators,
 * instrumentations) meets the SDK through `@opentelemetry/api` and shapes both lines share.
 */
export interface SdkLine extends SdkLineInfo {
  /** The resource: the SDK's defaults, the env, host and process detectors, then `attributes` on top. */
  resource(attributes: Attributes): unknown;
  provider(options: { resource: unknown; sampler: Sampler; spanProcessors: SpanProcessor[] }): SdkTracerProvider;
  /** Makes `provider` the global one, with an AsyncLocalStorage context manager and `propagator`. */
  register(provider: SdkTracerProvider, propagator: TextMapPropagator): void;
  /** A batching processor in front of `exporter`, tuned by the `OTEL_BSP_*` variables. */
  batchProcessor(exporter: SpanExporter): SpanProcessor;
  readonly samplers: SdkSamplers;
}

/** OpenTelemetry's built-in samplers, from the line in use. */
export interface SdkSamplers {
  alwaysOn(): Sampler;
  alwaysOff(): Sampler;
  traceIdRatio(ratio: number): Sampler;
  parentBased(root: Sampler): Sampler;
}

/** What both lines' resources packages export for the drop-in's resource. */
export interface ResourcesPackage<R extends { merge(other: R | null): R }, D> {
  defaultResource(): R;
  detectResources(config: { detectors: D[] }): R;
  resourceFromAttributes(attributes: Attributes): R;
  envDetector: D;
  hostDetector: D;
  processDetector: D;
}

/** The drop-in's resource, the same on both lines: the SDK's defaults, the env, host and process detectors, then `attributes`. */
export function detectedResource<R extends { merge(other: R | null): R }, D>(
  resources: ResourcesPackage<R, D>,
  attributes: Attributes,
): R {
  const detected = resources.detectResources({
    detectors: [resources.envDetector, resources.hostDetector, resources.processDetector],
  });
  return resources.defaultResource().merge(detected).merge(resources.resourceFromAttributes(attributes));
}

/** The built-in sampler classes, exported under the same names by both lines' trace SDK. */
export interface SamplerClasses {
  AlwaysOnSampler: new () => Sampler;
  AlwaysOffSampler: new () => Sampler;
  TraceIdRatioBasedSampler: new (ratio: number) => Sampler;
  ParentBasedSampler: new (config: { root: Sampler }) => Sampler;
}

/** `SdkSamplers` over a line's sampler classes. */
export function builtInSamplers(classes: SamplerClasses): SdkSamplers {
  return {
    alwaysOn: () => new classes.AlwaysOnSampler(),
    alwaysOff: () => new classes.AlwaysOffSampler(),
    traceIdRatio: (ratio) => new classes.TraceIdRatioBasedSampler(ratio),
    parentBased: (root) => new classes.ParentBasedSampler({ root }),
  };
}
