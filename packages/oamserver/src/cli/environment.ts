import { readFileSync } from 'node:fs';
import { MIN_API_TOKEN_LENGTH } from '../http/api-auth';
import { OTLP_PROTOCOLS, type OtlpProtocol } from '../telemetry/probe-tracer';
import { CliError } from './exit-codes';

/** What the CLI takes from the environment (read only here, at the entry point). */
export interface CliEnvironment {
  redisUrl?: string;
  secret?: string;
  jaegerUiUrl?: string;
  otlpEndpoint?: string;
  /**
   * The OTLP protocol as set, with the variable it came from (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
   * wins over OTEL_EXPORTER_OTLP_PROTOCOL); unset means OTel's default. Checked by requireOtlpProtocol.
   */
  otlpProtocol?: { variable: string; value: string };
  /** `service.name` of the Oamserver's root spans (OTEL_SERVICE_NAME). */
  serviceName?: string;
  /** Base URL of a running Oamserver, for runs/report. */
  server?: string;
  /** A dashboard build to serve instead of the installed @hoptrace/dashboard's (HOPTRACE_DASHBOARD_DIR). */
  dashboardDir?: string;
  /** HOPTRACE_API_TOKEN as set (checked by readApiToken). */
  apiToken?: string;
  /** HOPTRACE_API_TOKEN_FILE as set: a file holding the token (checked by readApiToken). */
  apiTokenFile?: string;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  return {
    redisUrl: env.REDIS_URL || undefined,
    secret: env.HOPTRACE_SECRET || undefined,
    jaegerUiUrl: env.JAEGER_UI_URL || undefined,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    otlpProtocol: protocolSetting(env),
    server: env.HOPTRACE_SERVER || undefined,
    serviceName: env.OTEL_SERVICE_NAME || undefined,
    dashboardDir: env.HOPTRACE_DASHBOARD_DIR || undefined,
    apiToken: env.HOPTRACE_API_TOKEN,
    apiTokenFile: env.HOPTRACE_API_TOKEN_FILE,
  };
}

function protocolSetting(env: NodeJS.ProcessEnv): CliEnvironment['otlpProtocol'] {
  for (const variable of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = env[variable];
    if (value) return { variable, value };
  }
  return undefined;
}

/**
 * The OTLP protocol of the root spans: `http/protobuf` (OTel's default) unless a variable says
 * `http/json`. Any other value (`grpc` included) is a usage error naming the variable, so that a
 * server whose spans would never arrive does not start. Worded like the drop-in's warning.
 */
export function requireOtlpProtocol(env: CliEnvironment): OtlpProtocol {
  if (!env.otlpProtocol) return 'http/protobuf';
  const { variable, value } = env.otlpProtocol;
  const protocol = value.trim();
  if ((OTLP_PROTOCOLS as readonly string[]).includes(protocol)) return protocol as OtlpProtocol;
  // gRPC users usually point at port 4317, so say where OTLP/HTTP listens as well.
  const hint = protocol === 'grpc' ? '; the Oamserver exports over OTLP/HTTP only (port 4318, not 4317)' : '';
  throw new CliError(
    `${variable}: "${value}" is not supported by hoptrace (use ${OTLP_PROTOCOLS.join(' or ')})${hint}`,
  );
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

/**
 * The API token (HOPTRACE_API_TOKEN, or the file HOPTRACE_API_TOKEN_FILE names), trimmed; undefined
 * when neither is set (the API is open). Both set, empty, unreadable or shorter than 16 characters:
 * a usage error naming the variable.
 */
export function readApiToken(env: CliEnvironment): string | undefined {
  if (env.apiToken !== undefined && env.apiTokenFile !== undefined) {
    throw new CliError('HOPTRACE_API_TOKEN and HOPTRACE_API_TOKEN_FILE are both set: set one of them');
  }
  let variable = 'HOPTRACE_API_TOKEN';
  let token = env.apiToken;
  if (env.apiTokenFile !== undefined) {
    variable = 'HOPTRACE_API_TOKEN_FILE';
    if (env.apiTokenFile.trim() === '') throw new CliError('HOPTRACE_API_TOKEN_FILE is set but empty: name a file');
    try {
      token = readFileSync(env.apiTokenFile, 'utf8');
    } catch (error) {
      throw new CliError(
        `HOPTRACE_API_TOKEN_FILE: cannot read "${env.apiTokenFile}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
  if (token === undefined) return undefined;
  token = token.trim();
  if (token === '') throw new CliError(`${variable} is set but the token is empty`);
  if (token.length < MIN_API_TOKEN_LENGTH) {
    throw new CliError(
      `${variable}: the token must be at least ${MIN_API_TOKEN_LENGTH} characters (got ${token.length})`,
    );
  }
  if (/\s/.test(token)) throw new CliError(`${variable}: the token must not contain spaces or line breaks`);
  return token;
}
