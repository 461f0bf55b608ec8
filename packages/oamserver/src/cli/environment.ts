import { CliError } from './exit-codes';

/** What the CLI takes from the environment (read only here, at the entry point). */
export interface CliEnvironment {
  redisUrl?: string;
  secret?: string;
  jaegerUiUrl?: string;
  otlpEndpoint?: string;
  /** `service.name` of the Oamserver's root spans (OTEL_SERVICE_NAME). */
  serviceName?: string;
  /** Base URL of a running Oamserver, for runs/report. */
  server?: string;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  return {
    redisUrl: env.REDIS_URL || undefined,
    secret: env.HOPTRACE_SECRET || undefined,
    jaegerUiUrl: env.JAEGER_UI_URL || undefined,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    server: env.HOPTRACE_SERVER || undefined,
    serviceName: env.OTEL_SERVICE_NAME || undefined,
  };
}

/** The secret, or a usage error that says how to set it. */
export function requireSecret(env: CliEnvironment): string {
  if (!env.secret) {
    throw new CliError(
      'HOPTRACE_SECRET is not set: the Oamserver signs probe tokens with it, and every service must have the same value',
    );
  }
  return env.secret;
}
