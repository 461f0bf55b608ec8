import { describe, expect, it } from 'vitest';
import type { HopRecord } from '@hoptrace/core';
import { classify } from '../src/classifier/classify';
import { duplicateHops } from '../src/classifier/duplicate-hops';
import { buildRun, classifyRun, hopOf, hopRecord, type ChainOptions } from './support/hops';

const LATER_US = 10_000_000;

/** The same hops again, later: what replaying the run's headers to the entry service produces. */
function replayOfWholeRun(options: ChainOptions = {}): HopRecord[] {
  return buildRun(options).hops.map((h) => ({ ...h, startUs: h.startUs + LATER_US }));
}

/** A replay of `service`'s headers (same trace, same parent span) to another route of it. */
function replayTo(hops: readonly HopRecord[], service: string, fields: Partial<HopRecord>): HopRecord {
  const original = hopOf(hops, service);
  return hopRecord(service, {
    parentSpanId: original.parentSpanId,
    startUs: original.startUs + LATER_US,
    ...fields,
  });
}

describe('classify: replayed tokens and duplicate hops', () => {
  it('a replay of the entry adds a whole second chain: flagged, not judged, the run stays ok', () => {
    const { built } = classifyRun();
    const replay = replayOfWholeRun();
    const result = classify({ run: built.run, trigger: built.trigger, hops: [...built.hops, ...replay] }, 60_000);
    expect(result.verdict).toBe('ok');
    expect(result.facts.extraHops).toEqual([]);
    expect(result.facts.duplicateHops).toEqual(['gateway', 'mailbox', 'recorder', 'storage', 'notifier']);
    const flagged = result.hops.filter((h) => h.duplicate).map((h) => h.spanId);
    expect(flagged.sort()).toEqual(replay.map((h) => h.spanId).sort());
    expect(result.hops).toHaveLength(10);
  });

  it('a replay to a failing route does not make the run an error', () => {
    const built = buildRun();
    const replay = replayTo(built.hops, 'recorder', {
      operation: 'GET /fail',
      status: 'error',
      httpStatus: 500,
      errorType: 'Error',
      errorMessage: 'boom',
    });
    const result = classify({ run: built.run, trigger: built.trigger, hops: [...built.hops, replay] }, 60_000);
    expect(result.verdict).toBe('ok');
    expect(result.fault).toBeUndefined();
    expect(result.hops.find((h) => h.spanId === replay.spanId)).toMatchObject({ duplicate: true, status: 'error' });
    expect(result.facts.duplicateHops).toEqual(['recorder']);
  });

  it('a slow replay does not make the run slow (its hop budget nor the total)', () => {
    const built = buildRun();
    const replay = replayTo(built.hops, 'recorder', { durationUs: 5_000_000 });
    const plain = classify({ run: built.run, trigger: built.trigger, hops: built.hops }, 60_000);
    const result = classify({ run: built.run, trigger: built.trigger, hops: [...built.hops, replay] }, 60_000);
    expect(result.verdict).toBe('ok');
    expect(result.facts.totalMs).toBe(plain.facts.totalMs);
  });

  it('a replay cannot hide a real fault: the first hop of the call is judged', () => {
    const failing: ChainOptions = {
      hops: { storage: { status: 'error', httpStatus: 500, errorMessage: 'disk full' } },
      calls: { storage: [] },
    };
    const built = buildRun(failing);
    const replay = replayTo(built.hops, 'storage', {});
    const result = classify({ run: built.run, trigger: built.trigger, hops: [...built.hops, replay] }, 60_000);
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('storage');
  });

  it('gives the same verdict and flags whatever order the records were read in', () => {
    const built = buildRun();
    const hops = [...built.hops, replayTo(built.hops, 'mailbox', { status: 'error' }), ...replayOfWholeRun()];
    const flagged = (list: HopRecord[]): string[] => [...duplicateHops(list)].map((h) => h.spanId).sort();
    const expected = flagged(hops);
    expect(expected).toHaveLength(6);
    for (const order of [hops, [...hops].reverse(), [...hops.slice(7), ...hops.slice(0, 7)]]) {
      expect(classify({ run: built.run, trigger: built.trigger, hops: order }, 60_000).verdict).toBe('ok');
      expect(flagged(order)).toEqual(expected);
    }
  });

  it('hops of one service answering different calls are not duplicates', () => {
    const built = buildRun({ path: ['gateway', 'mailbox', 'recorder', 'mailbox', 'storage', 'notifier'] });
    const again = hopRecord('mailbox', { parentSpanId: hopOf(built.hops, 'recorder').spanId });
    expect(duplicateHops([...built.hops, again]).size).toBe(0);
  });
});
