import { DiagConsoleLogger, diag } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { describeMode } from './mode';
import { describeSdk } from './sdk-line';
import { optionsFromEnv, type Environment } from './options-from-env';
import { startInstrumentation } from './start-instrumentation';
import type { HoptraceInstrumentation } from './types';

function warn(message: string): void {
  process.stderr.write(`[hoptrace] ${message}\n`);
}

/**
 * What `--import`/`--require @hoptrace/instrument/register` runs: start instrumentation from
 * the environment. Configuration problems are printed once to stderr, each naming its variable;
 * nothing is thrown into the host, which starts whatever happens here.
 */
export function registerFromEnvironment(env: Environment): HoptraceInstrumentation | undefined {
  try {
    const logLevel = diagLogLevelFromString(env.OTEL_LOG_LEVEL);
    if (env.OTEL_LOG_LEVEL && logLevel !== undefined) diag.setLogger(new DiagConsoleLogger(), { logLevel });
    const { disabled, options, issues } = optionsFromEnv(env);
    if (disabled) return undefined;
    for (const issue of issues) warn(`${issue.path}: ${issue.message}`);
    if (options.secret === undefined) {
      warn('HOPTRACE_SECRET is not set: no request is treated as a probe; ordinary tracing continues');
    }
    // Our own warnings (drops, Redis unreachable) reach stderr even without OTEL_LOG_LEVEL:
    // they are rate-limited, and an operator must be able to see why hops are missing.
    const handle = startInstrumentation({ ...options, env: false, onWarning: warn });
    warn(describeMode(handle.mode, options.mode !== undefined));
    warn(describeSdk(handle.sdk));
    return handle;
  } catch (error) {
    warn(`instrumentation is off: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
