import type { Sampler } from '@opentelemetry/api';
import type { ConfigIssue } from '@hoptrace/core';
import { currentSdk, type SdkSamplers } from './sdk-line';

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
 * The samplers are those of the OpenTelemetry SDK line in use (the drop-in's 2.x, or the service's 3.x).
 */
export function samplerFromEnv(
  name: string | undefined,
  arg: string | undefined,
  issues: ConfigIssue[] = [],
  samplers: SdkSamplers = currentSdk().samplers,
): Sampler {
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
      return samplers.alwaysOn();
    case 'always_off':
      return samplers.alwaysOff();
    case 'traceidratio':
      return samplers.traceIdRatio(ratio());
    case 'parentbased_always_on':
      return samplers.parentBased(samplers.alwaysOn());
    case 'parentbased_always_off':
      return samplers.parentBased(samplers.alwaysOff());
    case 'parentbased_traceidratio':
      return samplers.parentBased(samplers.traceIdRatio(ratio()));
    default:
      issues.push({
        path: 'OTEL_TRACES_SAMPLER',
        message: `"${name}" is not one of ${ENV_SAMPLERS.join(', ')}; using parentbased_always_on`,
      });
      return samplers.parentBased(samplers.alwaysOn());
  }
}
