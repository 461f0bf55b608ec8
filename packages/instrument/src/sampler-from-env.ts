import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import type { ConfigIssue } from '@hoptrace/core';

/** The samplers `OTEL_TRACES_SAMPLER` may name (OpenTelemetry's built-in set). */
export const ENV_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * Builds the sampler for ordinary traffic from `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`,
 * with OpenTelemetry's meaning: unset means `parentbased_always_on`; an unknown name falls back to
 * it; a missing or out-of-range ratio means 1. Problems are reported in `issues`, never thrown.
 */
export function samplerFromEnv(name: string | undefined, arg: string | undefined, issues: ConfigIssue[] = []): Sampler {
  const value = (name ?? '').trim().toLowerCase() || 'parentbased_always_on';
  const ratio = (): number => {
    if (arg === undefined || arg.trim() === '') return 1;
    const parsed = Number(arg);
    if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
      issues.push({ path: 'OTEL_TRACES_SAMPLER_ARG', message: `"${arg}" is not a ratio between 0 and 1; using 1` });
      return 1;
    }
    return parsed;
  };
  switch (value) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      issues.push({
        path: 'OTEL_TRACES_SAMPLER',
        message: `"${name}" is not one of ${ENV_SAMPLERS.join(', ')}; using parentbased_always_on`,
      });
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
