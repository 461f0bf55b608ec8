import { describe, expect, it } from 'vitest';
import { InstanceSightings, type Suspect } from '../src/incidents/instance-sightings';
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
function handle(sightings: InstanceSightings, result: RunResult): Suspect | 'none' {
  const unnamed =
    result.verdict !== 'ok' && result.fault?.service === 'notifier' && result.fault.instance === undefined;
  const suspect = unnamed ? sightings.suspect(PROBE, 'notifier', result.run.firedAtMs) : 'none';
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
    const suspects: (Suspect | 'none')[] = [];
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
    expect(suspects).toEqual(Array.from({ length: 4 }, () => ({ instance: 'notifier-3' })));
  });

  it('when every instance has gone quiet for long enough, the service as a whole is at fault', () => {
    const sightings = new InstanceSightings();
    const runs = series();
    for (const instance of ['notifier-1', 'notifier-2', 'notifier-3']) handle(sightings, runs.healthyVia(instance));
    // The notifier is down: every run is lost. A few faults in a row could still be one dropping
    // instance taking several messages; after 2 x 3 of them with no healthy run, it is the service.
    const suspects = Array.from({ length: 7 }, () => handle(sightings, runs.lost()));
    expect(suspects.slice(0, 5).every((x) => typeof x === 'object')).toBe(true);
    expect(suspects.slice(5)).toEqual(['service', 'service']);
    // One healthy run through any instance starts the count again.
    handle(sightings, runs.healthyVia('notifier-2'));
    expect(handle(sightings, runs.lost())).not.toBe('service');
  });

  it('a service with a single known instance: that instance is the one', () => {
    const sightings = new InstanceSightings();
    const runs = series();
    const suspects: (Suspect | 'none')[] = [];
    for (let round = 0; round < 3; round++) {
      handle(sightings, runs.healthyVia('notifier-1'));
      handle(sightings, runs.healthyVia('notifier-1'));
      suspects.push(handle(sightings, runs.lost()));
    }
    expect(suspects).toEqual(Array.from({ length: 3 }, () => ({ instance: 'notifier-1' })));
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
    expect(sightings.suspect(PROBE, 'notifier', START_MS + 3 * INTERVAL_MS)).toEqual({ instance: 'notifier-1' });
  });

  it('an instance never seen healthy is never suspected, and other probes and services are apart', () => {
    const sightings = new InstanceSightings();
    const runs = series();
    handle(sightings, runs.healthyVia('notifier-1'));
    handle(sightings, runs.healthyVia('notifier-2'));
    // notifier-9 may exist, but no run ever showed it: the one seen longest ago is named.
    expect(sightings.suspect(PROBE, 'notifier', START_MS + 100 * INTERVAL_MS)).toEqual({ instance: 'notifier-1' });
    // Nothing ever seen for another probe: no instance to name, the service it is.
    expect(sightings.suspect('another-probe', 'notifier', START_MS + 100 * INTERVAL_MS)).toBe('service');
    // Storage, seen at its single instance only, is that instance.
    expect(sightings.suspect(PROBE, 'storage', START_MS + 100 * INTERVAL_MS)).toEqual({ instance: 'storage-1' });
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
    expect(sightings.suspect(PROBE, 'notifier', START_MS + 4 * INTERVAL_MS)).toEqual({ instance: 'notifier-1' });
  });
});
