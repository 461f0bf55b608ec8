import { describe, expect, it } from 'vitest';
import { recordRun } from '../src/stats/record-run';
import { RollingStats } from '../src/stats/rolling-stats';
import { summarizeResult } from '../src/store/run-summary';
import { PATH, PROBE, classifyRun } from './support/hops';
import { RESULTS } from './support/scenarios';

function statsOf(...results: ReturnType<(typeof RESULTS)['ok']>[]) {
  const stats = new RollingStats(() => results[0]!.classifiedAtMs);
  for (const result of results) recordRun(stats, summarizeResult(result));
  return {
    stats,
    probe: () => stats.summary({ probe: PROBE }, '1m'),
    service: (service: string) => stats.summary({ probe: PROBE, service }, '1m'),
    instance: (service: string, instance = `${service}-1`) => stats.summary({ probe: PROBE, service, instance }, '1m'),
  };
}

describe('recordRun', () => {
  it('an ok run: the probe series gets the run and its end-to-end time, each service and instance its hop', () => {
    const result = RESULTS.ok();
    const { probe, service, instance } = statsOf(result);
    expect(probe()).toMatchObject({ count: 1, faults: 0, unknown: 0, okRatio: 1 });
    expect(probe().p50Ms).toBeCloseTo(result.facts.totalMs!, 0);
    for (const name of PATH) {
      const hop = result.hops.find((h) => h.service === name)!;
      expect(service(name)).toMatchObject({ count: 1, faults: 0 });
      expect(instance(name)).toMatchObject({ count: 1, faults: 0 });
      expect(instance(name).maxMs).toBeCloseTo(hop.durationMs, 0);
    }
  });

  it('a slow run counts the fault on the probe and on the blamed service and instance only', () => {
    const { probe, service, instance } = statsOf(RESULTS.slow());
    expect(probe()).toMatchObject({ count: 1, faults: 1 });
    expect(service('recorder')).toMatchObject({ count: 1, faults: 1 });
    expect(instance('recorder')).toMatchObject({ count: 1, faults: 1 });
    for (const other of PATH.filter((s) => s !== 'recorder')) {
      expect(service(other)).toMatchObject({ count: 1, faults: 0 });
      expect(instance(other)).toMatchObject({ count: 1, faults: 0 });
    }
  });

  it('an error blames the failing hop, not the callers that passed it on', () => {
    const { service } = statsOf(RESULTS.error());
    expect(service('storage').faults).toBe(1);
    expect(service('recorder').faults).toBe(0);
    expect(service('gateway').faults).toBe(0);
  });

  it('a service lost without a hop still gets the fault (and no instance series is made up)', () => {
    const { stats, probe, service } = statsOf(RESULTS.lost());
    expect(probe().faults).toBe(1);
    expect(service('notifier')).toMatchObject({ count: 1, faults: 1 });
    expect(service('notifier').p50Ms).toBeUndefined();
    expect(stats.summaries('1m', (k) => k.service === 'notifier' && k.instance !== undefined)).toEqual([]);
    expect(service('storage').faults).toBe(0);
  });

  it('a fault at one instance does not count against another instance of the same service', () => {
    const result = RESULTS.slow();
    const other = structuredClone(result);
    other.run.runId = 'run-2';
    other.hops = other.hops.map((h) => (h.service === 'recorder' ? { ...h, instance: 'recorder-2' } : h));
    other.verdict = 'ok';
    delete other.fault;
    const { service, instance } = statsOf(result, other);
    expect(service('recorder')).toMatchObject({ count: 2, faults: 1 });
    expect(instance('recorder', 'recorder-1').faults).toBe(1);
    expect(instance('recorder', 'recorder-2')).toMatchObject({ count: 1, faults: 0 });
  });

  it('unknown counts as unknown everywhere, and as a fault nowhere', () => {
    const { stats, probe } = statsOf(RESULTS.unknown());
    expect(probe()).toMatchObject({ count: 1, faults: 0, unknown: 1 });
    expect(probe().okRatio).toBeUndefined();
    expect(stats.summaries('1m').every((s) => s.faults === 0)).toBe(true);
  });

  it('unknown with hops (a storage gap): the hops that arrived count as unknown, not ok', () => {
    const { built, ...classification } = classifyRun({ silent: ['notifier'] }, { storageGap: true }, 5250);
    expect(classification.verdict).toBe('unknown');
    const { stats, service } = statsOf({ ...classification, run: built.run, classifiedAtMs: built.run.firedAtMs });
    expect(service('storage')).toMatchObject({ count: 1, unknown: 1, faults: 0 });
    expect(service('notifier').count).toBe(0);
    expect(stats.summaries('1m').every((s) => s.faults === 0 && s.unknown === s.count)).toBe(true);
  });
});
