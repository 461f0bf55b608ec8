import { createRequire } from 'node:module';
import { context, propagation, trace, type ContextManager, type Sampler } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@hoptrace/redis-exporter';
import {
  builtInSamplers,
  detectedResource,
  type ResourcesPackage,
  type SamplerClasses,
  type SdkLine,
  type SdkTracerProvider,
} from './sdk-line';

/*
 * The 3.x line is not a dependency of the drop-in (it needs Node 22.15 and `@opentelemetry/api`
 * 1.10, and one install cannot hold both lines' api ranges): it is used when the service installed
 * it. These are the shapes of the parts used, as `@opentelemetry/sdk-trace` 3.x,
 * `@opentelemetry/resources` 3.x and `@opentelemetry/context-async-hooks` 3.x export them.
 */
interface Resource3 {
  merge(other: Resource3 | null): Resource3;
}
interface SdkTrace3 extends SamplerClasses {
  TracerProvider: new (options: {
    resource: Resource3;
    sampler: Sampler;
    spanProcessors: SpanProcessor[];
  }) => SdkTracerProvider;
  BatchSpanProcessor: new (options: { exporter: SpanExporter } & BatchOptions) => SpanProcessor;
}
interface ContextAsyncHooks {
  AsyncLocalStorageContextManager: new () => ContextManager;
}
interface BatchOptions {
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
}

/** OTEL_BSP_* as the 2.x line reads them (the 3.x SDK leaves environment variables to its caller). */
export function batchOptionsFromEnv(env: NodeJS.ProcessEnv): BatchOptions {
  const whole = (name: string): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const value = Number(raw);
    return Number.isInteger(value) && value >= 0 ? value : undefined;
  };
  const options: BatchOptions = {
    maxQueueSize: whole('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: whole('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    scheduledDelayMillis: whole('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: whole('OTEL_BSP_EXPORT_TIMEOUT'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/**
 * The service's own 3.x SDK, loaded with `req` (a require from the service's side). Its
 * resources package is the one the SDK itself depends on; the context manager is the service's
 * `@opentelemetry/context-async-hooks` when it has one, else the drop-in's (a context manager
 * meets the SDK only through the api).
 */
export function loadSdk3(req: NodeJS.Require, sdkTrace: { entry: string; version: string }): SdkLine {
  const { entry: sdkEntry, version } = sdkTrace;
  const sdk = req(sdkEntry) as SdkTrace3;
  const fromSdk = createRequire(sdkEntry);
  const resources = fromSdk('@opentelemetry/resources') as ResourcesPackage<Resource3, unknown>;
  let hooks: ContextAsyncHooks;
  try {
    hooks = req('@opentelemetry/context-async-hooks') as ContextAsyncHooks;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    hooks = require('@opentelemetry/context-async-hooks') as ContextAsyncHooks;
  }
  return {
    line: '3.x',
    version,
    source: 'service',
    resource: (attributes) => detectedResource(resources, attributes),
    provider: ({ resource, sampler, spanProcessors }) =>
      new sdk.TracerProvider({ resource: resource as Resource3, sampler, spanProcessors }),
    register(provider, propagator) {
      // 3.x providers have no register(): set the three globals as the SDK's README does.
      context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(propagator);
      trace.setGlobalTracerProvider(provider);
    },
    batchProcessor: (exporter) => new sdk.BatchSpanProcessor({ exporter, ...batchOptionsFromEnv(process.env) }),
    samplers: builtInSamplers(sdk),
  };
}
