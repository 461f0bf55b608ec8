import type { ConfigIssue } from '@hoptrace/core';

/**
 * How a service is traced:
 * - `full`: OpenTelemetry's http, Express, fetch and ioredis instrumentations trace every
 *   request; ordinary traffic is sampled as configured and sent to OTLP; probes are hops.
 * - `probe-only`: nothing is patched for ordinary traffic (no spans, no sampler, no context
 *   propagation): only requests carrying a valid probe token are traced, as hops.
 */
export type HoptraceMode = 'full' | 'probe-only';

export const MODES: readonly HoptraceMode[] = ['full', 'probe-only'];

/** `HOPTRACE_MODE`, when set and valid; a bad value is reported in `issues`. */
export function modeFromEnv(raw: string | undefined, issues: ConfigIssue[]): HoptraceMode | undefined {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if ((MODES as readonly string[]).includes(value)) return value as HoptraceMode;
  issues.push({
    path: 'HOPTRACE_MODE',
    message: `"${raw}" is not a mode (use full or probe-only); choosing by default`,
  });
  return undefined;
}

/**
 * The default when no mode is given: `full` when ordinary spans have somewhere to go (an OTLP
 * endpoint, or span processors of your own), else `probe-only` (nothing would receive them).
 */
export function defaultMode(options: { otlp?: unknown; spanProcessors?: readonly unknown[] }): HoptraceMode {
  return options.otlp || (options.spanProcessors?.length ?? 0) > 0 ? 'full' : 'probe-only';
}

/** One line for the service's log at start: the mode and why. */
export function describeMode(mode: HoptraceMode, chosen: boolean): string {
  if (mode === 'full') {
    return `mode full${chosen ? '' : ' (an OTLP endpoint or span processors are set)'}: every request is traced; probes are also written to Redis as hops`;
  }
  return (
    `mode probe-only${chosen ? '' : ' (no OTLP endpoint: nothing would receive ordinary spans)'}: ` +
    'only probe requests are traced; ordinary traffic is left alone and its traces do not continue through this service (HOPTRACE_MODE=full traces it)'
  );
}
