import type * as Resources from '@opentelemetry/resources';
import type * as SdkTraceBase from '@opentelemetry/sdk-trace-base';
import type * as SdkTraceNode from '@opentelemetry/sdk-trace-node';
import { builtInSamplers, detectedResource, type SdkLine } from './sdk-line';

let loaded: SdkLine | undefined;

/**
 * The drop-in's own SDK, the 2.x line (Node 20 and later, `@opentelemetry/api` 1.3 to 1.9).
 * Loaded on first use only: a service on the 3.x line does not carry its code.
 */
export function loadSdk2(): SdkLine {
  if (loaded) return loaded;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const resources = require('@opentelemetry/resources') as typeof Resources;
  const base = require('@opentelemetry/sdk-trace-base') as typeof SdkTraceBase;
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof SdkTraceNode;
  const { version } = require('@opentelemetry/sdk-trace-node/package.json') as { version: string };
  /* eslint-enable @typescript-eslint/no-require-imports */
  loaded = {
    line: '2.x',
    version,
    source: 'bundled',
    resource: (attributes) => detectedResource<Resources.Resource, Resources.ResourceDetector>(resources, attributes),
    provider: ({ resource, sampler, spanProcessors }) =>
      new NodeTracerProvider({ resource: resource as Resources.Resource, sampler, spanProcessors }),
    register(provider, propagator) {
      // NodeTracerProvider.register also sets the AsyncLocalStorage context manager.
      (provider as SdkTraceNode.NodeTracerProvider).register({ propagator });
    },
    // The 2.x BatchSpanProcessor reads OTEL_BSP_* itself.
    batchProcessor: (exporter) => new base.BatchSpanProcessor(exporter),
    samplers: builtInSamplers(base),
  };
  return loaded;
}
