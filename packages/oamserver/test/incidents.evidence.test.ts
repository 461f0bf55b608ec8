import { describe, expect, it } from 'vitest';
import { evidenceOf, type PlaceEvidence } from '../src/incidents/evidence';
import { PATH } from './support/hops';
import { RESULTS, resultAt } from './support/scenarios';

const AT = { runId: 'run-1', firedAtMs: Date.UTC(2025, 0, 15, 12, 0, 0) };
const knownInstances = (count: number) => (): number => count;

/** The evidence about one place (service, and instance or undefined for the service as a whole). */
function at(evidence: PlaceEvidence[], service: string, instance: string | undefined): PlaceEvidence[] {
  return evidence.filter((e) => e.service === service && e.placeInstance === instance);
}

/** A run slow at recorder-2 (budget 200 ms), every other service healthy at its `-1` instance. */
const slowAtRecorder2 = () => resultAt(AT, { hops: { recorder: { instance: 'recorder-2', workMs: 260 } } });

describe('evidenceOf', () => {
  it('an ok run is healthy evidence for every service it reached, at its instance and service-wide', () => {
    const evidence = evidenceOf(RESULTS.ok(), knownInstances(3));
    expect(evidence).toHaveLength(PATH.length * 2);
    for (const service of PATH) {
      expect(at(evidence, service, `${service}-1`)).toEqual([
        { service, placeInstance: `${service}-1`, kind: undefined, visitInstance: `${service}-1`, minDistinct: 1 },
      ]);
      expect(at(evidence, service, undefined)).toEqual([
        { service, placeInstance: undefined, kind: undefined, visitInstance: `${service}-1`, minDistinct: 1 },
      ]);
    }
  });

  it('slow at recorder-2 of 3 known instances: faulty at recorder-2, and service-wide once 3 instances fail', () => {
    const result = slowAtRecorder2();
    expect(result.verdict).toBe('slow');
    const recorderMs = result.hops.find((h) => h.service === 'recorder')!.durationMs;
    const evidence = evidenceOf(result, knownInstances(3));

    expect(at(evidence, 'recorder', 'recorder-2')).toEqual([
      {
        service: 'recorder',
        placeInstance: 'recorder-2',
        kind: 'slow',
        visitInstance: 'recorder-2',
        latencyMs: recorderMs,
        minDistinct: 1,
      },
    ]);
    expect(at(evidence, 'recorder', undefined)).toEqual([
      {
        service: 'recorder',
        placeInstance: undefined,
        kind: 'slow',
        visitInstance: 'recorder-2',
        latencyMs: recorderMs,
        minDistinct: 3,
      },
    ]);
    // The services that did their part are healthy evidence, at their instance and service-wide.
    for (const service of ['gateway', 'mailbox', 'storage', 'notifier']) {
      expect(at(evidence, service, `${service}-1`).map((e) => e.kind)).toEqual([undefined]);
      expect(at(evidence, service, undefined).map((e) => e.kind)).toEqual([undefined]);
    }
    // Nothing else about the recorder: no healthy visit of the slow instance.
    expect(evidence.filter((e) => e.service === 'recorder')).toHaveLength(2);
  });

  it('minDistinct of the service-wide evidence is the number of known instances, at most 3', () => {
    const serviceWide = (known: number) =>
      at(evidenceOf(slowAtRecorder2(), knownInstances(known)), 'recorder', undefined).map((e) => e.minDistinct);
    expect(serviceWide(2)).toEqual([2]);
    expect(serviceWide(3)).toEqual([3]);
    expect(serviceWide(8)).toEqual([3]);
  });

  it('serviceWideMinInstances (config incidents) replaces the 3: the service-wide streak needs min(known, it)', () => {
    const serviceWide = (known: number, minInstances: number) =>
      at(evidenceOf(slowAtRecorder2(), knownInstances(known), undefined, minInstances), 'recorder', undefined).map(
        (e) => e.minDistinct,
      );
    expect(serviceWide(8, 2)).toEqual([2]);
    expect(serviceWide(8, 5)).toEqual([5]);
    expect(serviceWide(4, 5)).toEqual([4]);
    // The instance's own place is not affected.
    expect(
      at(evidenceOf(slowAtRecorder2(), knownInstances(8), undefined, 2), 'recorder', 'recorder-2').map(
        (e) => e.minDistinct,
      ),
    ).toEqual([1]);
  });

  it('with a single known instance, the fault says nothing about the service as a whole', () => {
    const evidence = evidenceOf(slowAtRecorder2(), knownInstances(1));
    expect(at(evidence, 'recorder', undefined)).toEqual([]);
    expect(at(evidence, 'recorder', 'recorder-2').map((e) => e.kind)).toEqual(['slow']);
  });

  it('lost at the notifier with no hop to name its instance: faulty at the suspected instance, marked inferred', () => {
    const result = RESULTS.lost();
    expect(result.verdict).toBe('lost');
    expect(result.fault?.instance).toBeUndefined();
    const asked: string[] = [];
    const evidence = evidenceOf(result, knownInstances(3), (service) => {
      asked.push(service);
      return service === 'notifier' ? { instance: 'notifier-3' } : undefined;
    });
    expect(asked).toEqual(['notifier']);
    expect(evidence.filter((e) => e.service === 'notifier')).toEqual([
      {
        service: 'notifier',
        placeInstance: 'notifier-3',
        kind: 'lost',
        visitInstance: 'notifier-3',
        latencyMs: undefined,
        minDistinct: 1,
        inferred: true,
      },
    ]);
  });

  it('lost at the notifier, the whole service suspected: faulty for the notifier as a whole, opening without distinct instances', () => {
    const evidence = evidenceOf(RESULTS.lost(), knownInstances(3), () => 'service');
    expect(evidence.filter((e) => e.service === 'notifier')).toEqual([
      {
        service: 'notifier',
        placeInstance: undefined,
        kind: 'lost',
        visitInstance: undefined,
        latencyMs: undefined,
        minDistinct: 0,
      },
    ]);
    // The services the run went through before it was lost are healthy.
    expect(at(evidence, 'storage', 'storage-1').map((e) => e.kind)).toEqual([undefined]);
  });

  it('lost at the notifier with no clear suspect: nothing about the notifier, the rest healthy', () => {
    const evidence = evidenceOf(RESULTS.lost(), knownInstances(3), () => undefined);
    expect(evidence.filter((e) => e.service === 'notifier')).toEqual([]);
    expect(at(evidence, 'storage', 'storage-1').map((e) => e.kind)).toEqual([undefined]);
  });

  it('services the run never reached give no evidence', () => {
    // The recorder crashed before calling storage: storage and the notifier never saw the run.
    const result = resultAt(AT, { silent: ['recorder'], calls: { recorder: [] } });
    expect(result.verdict).toBe('lost');
    const evidence = evidenceOf(result, knownInstances(3));
    expect(evidence.filter((e) => e.service === 'storage' || e.service === 'notifier')).toEqual([]);
    expect(evidence.filter((e) => e.service === 'recorder').map((e) => e.kind)).toEqual(['lost']);
    expect(new Set(evidence.map((e) => e.service))).toEqual(new Set(['gateway', 'mailbox', 'recorder']));
  });

  it('an unknown run gives no evidence at all', () => {
    const result = RESULTS.unknown();
    expect(result.verdict).toBe('unknown');
    expect(evidenceOf(result, knownInstances(3), () => ({ instance: 'notifier-3' }))).toEqual([]);
  });

  it('service-wide evidence comes before every per-instance evidence', () => {
    for (const result of [RESULTS.ok(), slowAtRecorder2(), RESULTS.error()]) {
      const evidence = evidenceOf(result, knownInstances(3));
      const lastServiceWide = evidence.map((e) => e.placeInstance === undefined).lastIndexOf(true);
      const firstPerInstance = evidence.findIndex((e) => e.placeInstance !== undefined);
      expect(lastServiceWide).toBeGreaterThanOrEqual(0);
      expect(firstPerInstance).toBeGreaterThan(lastServiceWide);
    }
  });
});
