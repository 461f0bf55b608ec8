import { describe, expect, it } from 'vitest';
import { runCellSchema, runSummarySchema, type RunSummary } from '@hoptrace/core/api';
import { VERDICTS } from '../src/classifier/types';
import {
  faultPlace,
  placesOf,
  runCell,
  summarizePending,
  summarizeResult,
  unknownFault,
} from '../src/store/run-summary';
import { RESULTS, resultAt } from './support/scenarios';

// The compact form of a run that lists, strips and the flow map read, and the indexes it feeds.

const HOP_FIELDS = ['durationMs', 'expected', 'instance', 'onTrace', 'service', 'status'];

describe('summarizeResult', () => {
  it.each(VERDICTS)(
    'a %s run: the run, its verdict, its hops in compact form, valid against the contract',
    (verdict) => {
      const result = RESULTS[verdict]();
      expect(result.verdict).toBe(verdict);
      const summary = summarizeResult(result);
      expect(runSummarySchema.parse(summary)).toEqual(summary);
      expect(summary).toMatchObject({
        runId: result.run.runId,
        probe: result.run.probe,
        traceId: result.run.traceId,
        state: 'done',
        verdict,
        firedAt: new Date(result.run.firedAtMs).toISOString(),
      });
      expect(summary.hops).toEqual(
        result.hops.map((h) => {
          const caller = result.hops.find((c) => c.spanId === h.callerSpanId);
          return {
            service: h.service,
            instance: h.instance,
            durationMs: h.durationMs,
            status: h.status,
            expected: h.expected,
            onTrace: h.onTrace,
            ...(caller ? { caller: caller.service } : {}),
          };
        }),
      );
      for (const hop of summary.hops) {
        expect(Object.keys(hop).sort()).toEqual(hop.caller === undefined ? HOP_FIELDS : ['caller', ...HOP_FIELDS]);
      }
      if (result.facts.totalMs === undefined) expect(summary).not.toHaveProperty('totalMs');
      else expect(summary.totalMs).toBe(result.facts.totalMs);
    },
  );

  it("names each hop's caller from the classifier's links: the gateway calls the mailbox, the recorder calls storage", () => {
    const summary = summarizeResult(RESULTS.ok());
    const callers = Object.fromEntries(summary.hops.map((h) => [h.service, h.caller]));
    expect(callers.gateway).toBeUndefined();
    expect(callers.mailbox).toBe('gateway');
    expect(callers.storage).toBe('recorder');
    expect(callers.notifier).toBe('storage');
  });

  it.each(VERDICTS)('a %s run has a fault exactly when its verdict is not ok', (verdict) => {
    const summary = summarizeResult(RESULTS[verdict]());
    if (verdict === 'ok') expect(summary).not.toHaveProperty('fault');
    else expect(summary.fault?.service).toBeTruthy();
  });

  it.each(VERDICTS.filter((v) => v !== 'ok' && v !== 'unknown'))(
    'a %s run keeps the classifier fault unchanged',
    (verdict) => {
      const result = RESULTS[verdict]();
      expect(result.fault).toBeDefined();
      expect(summarizeResult(result).fault).toEqual(result.fault);
    },
  );

  it('an unknown run is put on hoptrace itself, with the note as the reason', () => {
    const result = RESULTS.unknown();
    expect(result.fault).toBeUndefined();
    expect(summarizeResult(result).fault).toEqual({
      service: '(hoptrace)',
      reason: 'the hop records could not be read from storage',
    });
  });

  it('an unknown run with no note still says hoptrace could not tell', () => {
    const result = RESULTS.unknown();
    delete result.facts.note;
    expect(summarizeResult(result).fault).toEqual({ service: '(hoptrace)', reason: 'hoptrace could not tell' });
    expect(unknownFault(undefined)).toEqual({ service: '(hoptrace)', reason: 'hoptrace could not tell' });
  });

  it('a lost run names the first missing hop; a run that reached everything names none', () => {
    expect(summarizeResult(RESULTS.lost()).firstMissingHop).toBe('notifier');
    expect(summarizeResult(RESULTS['trigger-failed']()).firstMissingHop).toBe('gateway');
    for (const verdict of ['ok', 'slow', 'context-broken', 'unexpected-path'] as const) {
      expect(summarizeResult(RESULTS[verdict]())).not.toHaveProperty('firstMissingHop');
    }
  });

  it('a lost run keeps only the hops that arrived', () => {
    const summary = summarizeResult(RESULTS.lost());
    expect(summary.hops.map((h) => h.service)).toEqual(['gateway', 'mailbox', 'recorder', 'storage']);
  });

  it('carries the run id and firing time a run was given', () => {
    const firedAtMs = Date.UTC(2025, 5, 1, 8, 30, 15, 123);
    const summary = summarizeResult(resultAt({ runId: 'series_42-b', firedAtMs }));
    expect(summary.runId).toBe('series_42-b');
    expect(summary.firedAt).toBe('2025-06-01T08:30:15.123Z');
  });
});

describe('summarizePending', () => {
  it('is the run with no verdict, no fault and no hops yet', () => {
    const { run } = RESULTS.ok();
    const summary = summarizePending(run);
    expect(summary).toEqual({
      runId: run.runId,
      probe: run.probe,
      traceId: run.traceId,
      state: 'pending',
      firedAt: new Date(run.firedAtMs).toISOString(),
      hops: [],
    });
    expect(runSummarySchema.parse(summary)).toEqual(summary);
  });
});

describe('runCell', () => {
  it('says where a fault is: the service and its instance', () => {
    const summary = summarizeResult(RESULTS.slow());
    const cell = runCell(summary);
    expect(cell).toEqual({
      runId: summary.runId,
      state: 'done',
      verdict: 'slow',
      firedAt: summary.firedAt,
      totalMs: summary.totalMs,
      where: 'recorder (recorder-1)',
    });
    expect(runCellSchema.parse(cell)).toEqual(cell);
  });

  it('says the service alone when the fault names no instance', () => {
    expect(runCell(summarizeResult(RESULTS.lost())).where).toBe('notifier');
    expect(runCell(summarizeResult(RESULTS['trigger-failed']())).where).toBe('gateway');
  });

  it('an unknown run is where hoptrace could not tell', () => {
    expect(runCell(summarizeResult(RESULTS.unknown())).where).toBe('(hoptrace)');
  });

  it('an ok run has no where; a pending run has no verdict, time or where', () => {
    const ok = runCell(summarizeResult(RESULTS.ok()));
    expect(ok).not.toHaveProperty('where');
    expect(ok.verdict).toBe('ok');
    const pending = runCell(summarizePending(RESULTS.ok().run));
    expect(pending).toEqual({ runId: pending.runId, state: 'pending', firedAt: pending.firedAt });
  });

  it('faultPlace words a fault the same way', () => {
    expect(faultPlace({ service: 'notifier', instance: 'notifier-1', reason: 'x' })).toBe('notifier (notifier-1)');
    expect(faultPlace({ service: 'notifier', reason: 'x' })).toBe('notifier');
    expect(faultPlace({ service: 'notifier', instance: '', reason: 'x' })).toBe('notifier');
  });
});

describe('placesOf', () => {
  const sorted = (p: { services: string[]; instances: string[] }) => ({
    services: [...p.services].sort(),
    instances: [...p.instances].sort(),
  });

  it('an ok run touched every service and instance it has a hop from, each once', () => {
    expect(sorted(placesOf(summarizeResult(RESULTS.ok())))).toEqual({
      services: ['gateway', 'mailbox', 'notifier', 'recorder', 'storage'],
      instances: ['gateway-1', 'mailbox-1', 'notifier-1', 'recorder-1', 'storage-1'],
    });
  });

  it('a lost run also touched the service its fault is at, though no hop came from there', () => {
    const places = placesOf(summarizeResult(RESULTS.lost()));
    expect(places.services).toContain('notifier');
    expect(places.instances).not.toContain('notifier-1');
    expect(places.instances).toHaveLength(4);
  });

  it('a fault that names an instance the run has no hop from adds that instance', () => {
    const summary: RunSummary = {
      ...summarizeResult(RESULTS.lost()),
      fault: { service: 'notifier', instance: 'notifier-2', reason: 'no hop from notifier-2' },
    };
    const places = placesOf(summary);
    expect(places.services).toContain('notifier');
    expect(places.instances).toContain('notifier-2');
  });

  it('leaves out the (hoptrace) fault of an unknown run, keeping the hops it has', () => {
    expect(placesOf(summarizeResult(RESULTS.unknown()))).toEqual({ services: [], instances: [] });
    const partial: RunSummary = {
      ...summarizeResult(RESULTS.unknown()),
      hops: summarizeResult(RESULTS.ok()).hops.slice(0, 1),
    };
    expect(partial.fault?.service).toBe('(hoptrace)');
    expect(placesOf(partial)).toEqual({ services: ['gateway'], instances: ['gateway-1'] });
  });

  it('lists a service visited twice once', () => {
    const ok = summarizeResult(RESULTS.ok());
    const twice: RunSummary = { ...ok, hops: [...ok.hops, ok.hops[0]!] };
    expect(placesOf(twice).services.filter((s) => s === 'gateway')).toHaveLength(1);
    expect(placesOf(twice).instances.filter((s) => s === 'gateway-1')).toHaveLength(1);
  });
});
