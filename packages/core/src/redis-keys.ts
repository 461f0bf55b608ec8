import { HoptraceError } from './errors';
import { RUN_ID_PATTERN } from './probe-token';

/** Prefix of every Redis key hoptrace writes, unless configured otherwise. */
export const DEFAULT_KEY_PREFIX = 'hoptrace:';

/** Builds every Redis key hoptrace uses. One run's keys share the hash tag `{runId}`. */
export interface RedisKeys {
  readonly prefix: string;
  /** HASH of one run's hop records: field = span id, value = hop record JSON. */
  runHops(runId: string): string;
}

/**
 * Creates the key builder. The prefix may not contain braces: a brace there would become the
 * hash tag and put every run in one Redis Cluster slot.
 */
export function createRedisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  if (prefix.includes('{') || prefix.includes('}')) {
    throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `keyPrefix "${prefix}" must not contain { or }`);
  }
  const tag = (runId: string): string => {
    if (!RUN_ID_PATTERN.test(runId)) {
      throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `run id "${runId}" must match ${RUN_ID_PATTERN}`);
    }
    return `{${runId}}`;
  };
  return {
    prefix,
    runHops: (runId) => `${prefix}run:${tag(runId)}:hops`,
  };
}
