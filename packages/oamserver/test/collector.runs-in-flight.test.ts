import { describe, expect, it } from 'vitest';
import { newRunId } from '@hoptrace/core';
import { Collector } from '../src/collector/collector';
import type { RunResult, RunStore } from '../src/store/run-store';
import { StorageHealth } from '../src/store/storage-health';
import { buildRun } from './support/hops';

/**
 * A collector of `hoptrace probe` (scope `own`) whose storage is down, with `count` runs fired
 * here long past their deadline: each run it remembers is judged `unknown` from memory at the
 * next pass; one it did not remember cannot be.
 */
async function unknownFromMemory(count: number, maxRunsInFlight?: number): Promise<RunResult[]> {
  const { run } = buildRun();
  const now = run.deadlineMs + 60_000;
  const down = (): Promise<never> => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  const store = { pendingRuns: down, ping: down } as unknown as RunStore;
  const collector = new Collector(
    { store, storageHealth: new StorageHealth(() => now), now: () => now },
    { scope: 'own', maxRunsInFlight },
  );
  const announced: RunResult[] = [];
  collector.onResult((result) => announced.push(result));
  for (let i = 0; i < count; i++) collector.track({ run: { ...run, runId: newRunId(run.firedAtMs + i) } });
  await collector.pass();
  return announced;
}

describe('Collector: runs in flight (config limits.runsInFlight)', () => {
  it('remembers at most maxRunsInFlight runs fired here: only those get unknown from memory when storage is down', async () => {
    const announced = await unknownFromMemory(5, 3);
    expect(announced).toHaveLength(3);
    expect(announced.map((r) => r.verdict)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(announced[0]!.facts.note).toMatch(/storage was unavailable when the run was due/);
  });

  it('by default remembers 10,000', async () => {
    expect(await unknownFromMemory(5)).toHaveLength(5);
  });
});
