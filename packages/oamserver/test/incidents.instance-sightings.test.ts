import { describe, expect, it } from 'vitest';
import { InstanceSightings } from '../src/incidents/instance-sightings';
import type { RunResult } from '../src/store/run-store';
import { PROBE } from './support/hops';
import { resultAt } from './support/scenarios';

const START_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const INTERVAL_MS = 10_000;

/** A series of runs, one every 10 s: healthy ones through a given notifier instance, or lost at the notifier. */
function series() {
  let n = 0;
  const next = () => {
    n += 1;
    return { runId: `run-${n}`, firedAtMs: START_MS + n * INTERVAL_MS };
  };
  return {
    healthyVia: (instance: string): RunResult => resultAt(next(), { hops: { notifier: { instance } } }),
    lost: (): RunResult => resultAt(next(), { silent: ['notifier'] }),
  };
}

/** What the tracker does with a run: asks for a suspect when the fault named no instance, then notes the run. */
function handle(sightings: InstanceSightings, result: RunResult): string | undefined {
  const unnamed =
    result.verdict !== 'ok' && result.fault?.service === 'notifier' && result.fault.instance === undefined;
  const suspect = unnamed ? sightings.suspect(PROBE, 'notifier', result.run.firedAtMs) : undefined;
  sightings.observe(result);
  return suspect;
}

describe('InstanceSightings', () => {
  it('an instance that stops handling runs while its peers keep working becomes the suspect', () => {
    const sightings = new InstanceSightings();
    const runs = series();
    // Round robin over three notifiers, all well at first.
    for (const instance of ['notifier-1', 'notifier-2', 'notifier-3']) handle(sightings, runs.healthyVia(instance));
    // Then notifier-3 drops every message it takes: its turns are lost runs, the others go on.
    const suspects: (string | undefined)[] = [];
    for (let round = 0; round < 4; round++) {
      handle(sightings, runs.healthyVia('notifier-1'));
      handle(sightings, runs.healthyVia('notifier-2'));
      const lost = runs.lost();
      expect(lost.verdict).toBe('lost');
      expect(lost.fault).toMatchObject({ service: 'notifier' });
      expect(lost.fault?.instance).toBeUndefined();
      suspects.push(handle(sightings, lost));
    }
    // It was last seen before both its peers, who kept working since: named at every fault.
    expect(suspects).toEqual(['notifier-3', 'notifier-3', 'notifier-3', 'notifier-3']);
  });

  it('when every instance has gone quiet, no instance is suspected: the service as a whole is at fault', () => {
    const sightings = new InstanceSightings();
    const runs = series();
    for (const instance of ['notifier-1', 'notifier-2', 'notifier-3']) handle(sightings, runs.healthyVia(instance));
    // The notifier is down: every run is lost. The first fault alone cannot tell one dropping
    // instance from a service down; once runs keep failing with no instance working in between,
    // nobody stands out.
    handle(sightings, runs.lost());
    const later = [handle(sightings, runs.lost()), handle(sightings, runs.lost()), handle(sightings, runs.lost())];
    expect(later).toEqual([undefined, undefined, undefined]);
  });

  it('a service with a single known instance has no suspect', () => {
    const sightings = new InstanceSightings();
    const runs = series();
    const suspects: (string | undefined)[] = [];
    for (let round = 0; round < 3; round++) {
      handle(sightings, runs.healthyVia('notifier-1'));
      handle(sightings, runs.healthyVia('notifier-1'));
      suspects.push(handle(sightings, runs.lost()));
    }
    expect(suspects).toEqual([undefined, undefined, undefined]);
  });

  it('the suspect must have been last seen before every other instance: a tie names nobody', () => {
    const sightings = new InstanceSightings();
    // One run went through two notifier instances (the message was redelivered): both last seen at once.
    const both = resultAt({ runId: 'run-1', firedAtMs: START_MS }, { hops: { notifier: { instance: 'notifier-1' } } });
    const notifier = both.hops.find((h) => h.service === 'notifier')!;
    both.hops.push({ ...notifier, instance: 'notifier-2', spanId: 'ffff000000000001' });
    sightings.observe(both);
    expect(sightings.suspect(PROBE, 'notifier', START_MS + INTERVAL_MS)).toBeUndefined();

    // notifier-2 then works again: notifier-1, seen before it, stands out.
    const via2 = resultAt(
      { runId: 'run-2', firedAtMs: START_MS + 2 * INTERVAL_MS },
      { hops: { notifier: { instance: 'notifier-2' } } },
    );
    sightings.observe(via2);
    expect(sightings.suspect(PROBE, 'notifier', START_MS + 3 * INTERVAL_MS)).toBe('notifier-1');
  });

  it('an instance never seen healthy is never suspected, and other probes and services are apart', () => {
    const sightings = new InstanceSightings();
    const runs = series();
    handle(sightings, runs.healthyVia('notifier-1'));
    handle(sightings, runs.healthyVia('notifier-2'));
    // notifier-9 may exist, but no run ever showed it: the one seen longest ago is named.
    expect(sightings.suspect(PROBE, 'notifier', START_MS + 100 * INTERVAL_MS)).toBe('notifier-1');
    expect(sightings.suspect('another-probe', 'notifier', START_MS + 100 * INTERVAL_MS)).toBeUndefined();
    expect(sightings.suspect(PROBE, 'storage', START_MS + 100 * INTERVAL_MS)).toBeUndefined();
  });

  it('an instance at fault is not counted as seen, nor are the hops of an unknown run', () => {
    const sightings = new InstanceSightings();
    sightings.observe(
      resultAt({ runId: 'run-1', firedAtMs: START_MS }, { hops: { notifier: { instance: 'notifier-1' } } }),
    );
    sightings.observe(
      resultAt(
        { runId: 'run-2', firedAtMs: START_MS + INTERVAL_MS },
        { hops: { notifier: { instance: 'notifier-2' } } },
      ),
    );
    // notifier-1 answers with errors: the faulty hop is not a sighting of a working instance.
    const failing = resultAt(
      { runId: 'run-3', firedAtMs: START_MS + 2 * INTERVAL_MS },
      { hops: { notifier: { instance: 'notifier-1', status: 'error', errorType: 'Error', errorMessage: 'boom' } } },
    );
    expect(failing.verdict).toBe('error');
    sightings.observe(failing);
    const unknown = resultAt(
      { runId: 'run-4', firedAtMs: START_MS + 3 * INTERVAL_MS },
      { hops: { notifier: { instance: 'notifier-1' } } },
    );
    sightings.observe({ ...unknown, verdict: 'unknown' });
    expect(sightings.suspect(PROBE, 'notifier', START_MS + 4 * INTERVAL_MS)).toBe('notifier-1');
  });
});
