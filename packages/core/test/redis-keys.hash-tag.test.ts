import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { HoptraceError } from '../src/errors';
import { DEFAULT_KEY_PREFIX, createRedisKeys } from '../src/redis-keys';
import { newRunId } from '../src/run-id';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HoptraceError);
    return (error as HoptraceError).code;
  }
  return undefined;
}

describe('createRedisKeys', () => {
  it('uses the prefix hoptrace: by default', () => {
    expect(DEFAULT_KEY_PREFIX).toBe('hoptrace:');
    expect(createRedisKeys().prefix).toBe('hoptrace:');
    expect(createRedisKeys().runHops('run-1')).toBe('hoptrace:run:{run-1}:hops');
  });

  it('puts every key under a custom prefix', () => {
    const keys = createRedisKeys('staging:ht:');
    expect(keys.prefix).toBe('staging:ht:');
    expect(keys.runHops('run-1')).toBe('staging:ht:run:{run-1}:hops');
  });

  it('names the verdicts stream under the prefix', () => {
    expect(createRedisKeys().verdicts()).toBe('hoptrace:verdicts');
    expect(createRedisKeys('staging:ht:').verdicts()).toBe('staging:ht:verdicts');
  });

  it.each(['{hoptrace}:', 'hop{', 'hop}:'])('refuses the prefix %s with HOPTRACE_CONFIG_INVALID', (prefix) => {
    expect(codeOf(() => createRedisKeys(prefix))).toBe('HOPTRACE_CONFIG_INVALID');
  });

  it.each(['{run}', 'run}', 'run.1', '', 'run 1', 'r'.repeat(65)])(
    'refuses the run id %j with HOPTRACE_CONFIG_INVALID',
    (runId) => {
      expect(codeOf(() => createRedisKeys().runHops(runId))).toBe('HOPTRACE_CONFIG_INVALID');
    },
  );

  it('uses the run id, exactly, as the Redis Cluster hash tag', () => {
    const runId = newRunId(1_700_000_000_000);
    const key = createRedisKeys().runHops(runId);
    expect(/\{([^}]*)\}/.exec(key)?.[1]).toBe(runId);
    expect(calculateSlot(key)).toBe(calculateSlot(runId));
  });

  it('puts keys of one run in one slot, whatever the prefix, and spreads runs over slots', () => {
    const runIds = Array.from({ length: 50 }, () => newRunId());
    for (const runId of runIds) {
      const slots = new Set([
        calculateSlot(createRedisKeys().runHops(runId)),
        calculateSlot(createRedisKeys('other:').runHops(runId)),
        calculateSlot(`hoptrace:run:{${runId}}:meta`),
      ]);
      expect(slots.size).toBe(1);
    }
    const slotsOfRuns = new Set(runIds.map((runId) => calculateSlot(createRedisKeys().runHops(runId))));
    expect(slotsOfRuns.size).toBeGreaterThan(40);
  });
});

describe('newRunId', () => {
  it('makes run ids the key builder accepts, sorted by creation time', () => {
    const earlier = newRunId(1_700_000_000_000);
    const later = newRunId(1_700_000_000_001);
    expect(earlier).toMatch(/^[0-9a-z]{9}-[0-9a-f]{12}$/);
    expect(earlier < later).toBe(true);
    expect(() => createRedisKeys().runHops(earlier)).not.toThrow();
    expect(newRunId()).not.toBe(newRunId());
  });
});
