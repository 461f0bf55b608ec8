import { describe, expect, it } from 'vitest';
import { incidentTimelineEntrySchema, type Incident, type RunSummary } from '@hoptrace/core/api';
import { faultAtPlace, visitEntry } from '../src/http/incident-detail';
import { summarizeResult } from '../src/store/run-summary';
import { RESULTS, resultAt } from './support/scenarios';

// Which stored runs are an incident's faulty visits, and how each shows on its timeline.

const STARTED_AT_MS = Date.UTC(2025, 0, 15, 12);

function incident(fields: Partial<Incident> = {}): Incident {
  return {
    id: 'deposit-voicemail|recorder|recorder-1|slow|1736942400000',
    state: 'open',
    probe: 'deposit-voicemail',
    service: 'recorder',
    instance: 'recorder-1',
    kind: 'slow',
    startedAtMs: STARTED_AT_MS,
    openedAtMs: STARTED_AT_MS + 20_000,
    lastSeenAtMs: STARTED_AT_MS + 20_000,
    runsAffected: 2,
    exampleRuns: [],
    reason: 'recorder took 269ms, budget 200ms',
    ...fields,
  };
}

const slow = summarizeResult(RESULTS.slow()); // fault: recorder (recorder-1)
const lost = summarizeResult(RESULTS.lost()); // fault: notifier, no instance, no notifier hop

describe('faultAtPlace', () => {
  it('a run whose fault is the incident kind at its service and instance is at the place', () => {
    expect(slow.fault).toMatchObject({ service: 'recorder', instance: 'recorder-1' });
    expect(faultAtPlace(slow, incident())).toBe(true);
  });

  it('a fault of another kind is not', () => {
    expect(faultAtPlace(slow, incident({ kind: 'error' }))).toBe(false);
  });

  it('a fault at another service is not', () => {
    expect(faultAtPlace(slow, incident({ service: 'storage', instance: 'storage-1' }))).toBe(false);
  });

  it('a fault at another instance of the service is not', () => {
    expect(faultAtPlace(slow, incident({ instance: 'recorder-2' }))).toBe(false);
  });

  it('a service-wide incident takes a fault at any instance of the service', () => {
    expect(faultAtPlace(slow, incident({ instance: undefined }))).toBe(true);
    const onRecorder2: RunSummary = { ...slow, fault: { ...slow.fault!, instance: 'recorder-2' } };
    expect(faultAtPlace(onRecorder2, incident({ instance: undefined }))).toBe(true);
  });

  it('a fault that names no instance counts for an incident on an instance (lost with no hop left there)', () => {
    expect(lost.fault).toEqual({ service: 'notifier', reason: expect.any(String) });
    expect(faultAtPlace(lost, incident({ kind: 'lost', service: 'notifier', instance: 'notifier-1' }))).toBe(true);
    expect(faultAtPlace(lost, incident({ kind: 'lost', service: 'notifier', instance: undefined }))).toBe(true);
    expect(faultAtPlace(lost, incident({ kind: 'lost', service: 'storage', instance: undefined }))).toBe(false);
  });

  it('a run with no fault, an ok run or an unknown run is never at the place', () => {
    const ok = summarizeResult(RESULTS.ok());
    expect(faultAtPlace(ok, incident())).toBe(false);
    const slowWithoutFault: RunSummary = { ...slow };
    delete slowWithoutFault.fault;
    expect(faultAtPlace(slowWithoutFault, incident())).toBe(false);
    const unknown = summarizeResult(RESULTS.unknown());
    expect(faultAtPlace(unknown, incident({ service: '(hoptrace)', instance: undefined }))).toBe(false);
  });
});

describe('visitEntry', () => {
  it('a visit is the run at its firing time, with its verdict, the instance it went through and the hop latency', () => {
    const firedAtMs = STARTED_AT_MS + 5_123;
    const summary = summarizeResult(
      resultAt({ runId: 'visit-1', firedAtMs }, { hops: { recorder: { instance: 'recorder-3', workMs: 300 } } }),
    );
    const recorderHop = summary.hops.find((h) => h.service === 'recorder')!;
    const entry = visitEntry(summary, incident({ instance: undefined }));
    expect(entry).toEqual({
      atMs: firedAtMs,
      type: 'visit',
      runId: 'visit-1',
      verdict: 'slow',
      instance: 'recorder-3',
      latencyMs: recorderHop.durationMs,
    });
    expect(recorderHop.durationMs).not.toBe(summary.totalMs);
    expect(incidentTimelineEntrySchema.parse(entry)).toEqual(entry);
  });

  it('the instance is the one the run went through at the service, also when the fault names none', () => {
    const serviceWide: RunSummary = { ...slow, fault: { service: 'recorder', reason: 'every instance is slow' } };
    expect(visitEntry(serviceWide, incident({ instance: undefined }))).toMatchObject({ instance: 'recorder-1' });
  });

  it('a run with no hop at the service takes the instance from its fault and the end-to-end time', () => {
    const blamed: RunSummary = { ...lost, fault: { ...lost.fault!, instance: 'notifier-2' } };
    expect(visitEntry(blamed, incident({ kind: 'lost', service: 'notifier', instance: 'notifier-2' }))).toEqual({
      atMs: Date.parse(lost.firedAt),
      type: 'visit',
      runId: lost.runId,
      verdict: 'lost',
      instance: 'notifier-2',
      latencyMs: lost.totalMs,
    });
  });

  it('leaves out what it does not know: no instance and no latency', () => {
    const triggerFailed = summarizeResult(RESULTS['trigger-failed']());
    expect(triggerFailed.totalMs).toBeUndefined();
    const entry = visitEntry(triggerFailed, incident({ kind: 'trigger-failed', service: 'gateway' }));
    expect(entry).toEqual({
      atMs: Date.parse(triggerFailed.firedAt),
      type: 'visit',
      runId: triggerFailed.runId,
      verdict: 'trigger-failed',
    });
  });
});
