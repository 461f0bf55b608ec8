import type { ConfigIssue } from '@hoptrace/core';
import { modeFromEnv } from './mode';
import { DestinationAllowList } from './propagation';
import { samplerFromEnv } from './sampler-from-env';
import type { InstrumentationOptions } from './types';

/** Environment variables, as `process.env` holds them. */
export type Environment = Record<string, string | undefined>;

/** Options read from the environment, and the problems found on the way (each names its variable). */
export interface EnvironmentOptions {
  /** `OTEL_SDK_DISABLED=true`: start nothing. */
  disabled: boolean;
  options: InstrumentationOptions;
  issues: ConfigIssue[];
}

function positiveInt(env: Environment, name: string, issues: ConfigIssue[]): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    issues.push({ path: name, message: `"${raw}" is not a positive whole number; using the default` });
    return undefined;
  }
  return value;
}

/**
 * Maps the environment to options, with the standard `OTEL_*` variables meaning what
 * OpenTelemetry says they mean. Pure: reads only the `env` given. Bad values are reported in
 * `issues` and replaced by defaults; nothing is thrown.
 */
export function optionsFromEnv(env: Environment): EnvironmentOptions {
  const issues: ConfigIssue[] = [];
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  const options: InstrumentationOptions = {};

  const mode = modeFromEnv(env.HOPTRACE_MODE, issues);
  if (mode) options.mode = mode;
  if (env.HOPTRACE_SECRET) options.secret = env.HOPTRACE_SECRET;
  if (env.REDIS_URL) options.redisUrl = env.REDIS_URL;
  if (env.OTEL_TRACES_SAMPLER || env.OTEL_TRACES_SAMPLER_ARG) {
    options.sampler = samplerFromEnv(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG, issues);
  }

  if (env.HOPTRACE_PROPAGATE_TO !== undefined && env.HOPTRACE_PROPAGATE_TO.trim() !== '') {
    const parsed = DestinationAllowList.parse(env.HOPTRACE_PROPAGATE_TO);
    for (const message of parsed.issues) issues.push({ path: 'HOPTRACE_PROPAGATE_TO', message });
    options.propagateTo = parsed.entries;
  }

  const exporter: NonNullable<InstrumentationOptions['exporter']> = {};
  if (env.HOPTRACE_KEY_PREFIX) exporter.keyPrefix = env.HOPTRACE_KEY_PREFIX;
  exporter.hopTtlMs = positiveInt(env, 'HOPTRACE_HOP_TTL_MS', issues);
  exporter.exportTimeoutMs = positiveInt(env, 'HOPTRACE_EXPORT_TIMEOUT_MS', issues);
  exporter.commandTimeoutMs = positiveInt(env, 'HOPTRACE_REDIS_COMMAND_TIMEOUT_MS', issues);
  options.exporter = exporter;
  const hopQueue: NonNullable<InstrumentationOptions['hopQueue']> = {};
  hopQueue.maxQueueSize = positiveInt(env, 'HOPTRACE_MAX_QUEUE_SIZE', issues);
  options.hopQueue = hopQueue;

  // OTLP goes on when an endpoint is configured, unless OTEL_TRACES_EXPORTER says otherwise.
  const tracesExporter = (env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase();
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (tracesExporter === 'none') {
    options.otlp = false;
  } else if (tracesExporter !== '' && tracesExporter !== 'otlp') {
    issues.push({
      path: 'OTEL_TRACES_EXPORTER',
      message: `"${env.OTEL_TRACES_EXPORTER}" is not supported by hoptrace (use otlp or none); using otlp when an endpoint is set`,
    });
  }
  if (options.otlp !== false) {
    if (endpoint) {
      // Name the variable the value came from: the traces-specific one wins over the general one.
      const protocolVariable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
        ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
        : 'OTEL_EXPORTER_OTLP_PROTOCOL';
      const protocol = (env[protocolVariable] || 'http/protobuf').trim();
      if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
        issues.push({
          path: protocolVariable,
          message: `"${protocol}" is not supported by hoptrace (use http/protobuf or http/json); using http/protobuf`,
        });
      }
      // The URL and headers are left to the OTLP exporter, which reads the OTEL_EXPORTER_OTLP_* variables itself.
      options.otlp = { protocol: protocol === 'http/json' ? 'http/json' : 'http/protobuf' };
    } else {
      options.otlp = false;
    }
  }
  return { disabled, options, issues };
}
