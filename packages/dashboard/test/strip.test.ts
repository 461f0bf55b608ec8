import { type RunCell } from '@hoptrace/core/api';
import { describe, expect, it } from 'vitest';
import { applyLiveRuns, cellFromRun, mergeCells, mergeRefetched } from '../src/lib/strip';
import { FIRED_MS, probeOverview, runSummary } from './fixtures';

const at = (s: number) => new Date(FIRED_MS + s * 1000).toISOString();
const cell = (id: string, s: number, patch: Partial<RunCell> = {}): RunCell => ({
  runId: id,
  state: 'done',
  verdict: 'ok',
  firedAt: at(s),
  ...patch,
});

describe('strip merging', () => {
  it('turns a classified run into a cell that says where it failed', () => {
    expect(
      cellFromRun(
        runSummary({
          runId: 'r',
          verdict: 'lost',
          fault: { service: 'notifier', instance: 'notifier-1', reason: 'x' },
        }),
      ),
    ).toEqual({
      runId: 'r',
      state: 'done',
      verdict: 'lost',
      firedAt: at(0),
      totalMs: 72,
      where: 'notifier (notifier-1)',
    });
    expect(cellFromRun(runSummary({ runId: 'r' })).where).toBeUndefined();
  });

  it('prepends new runs and drops the oldest beyond the cap', () => {
    const strip = [cell('c', 20), cell('b', 10), cell('a', 0)];
    const next = mergeCells(strip, [cell('d', 30)], 3);
    expect(next.map((c) => c.runId)).toEqual(['d', 'c', 'b']);
  });

  it('replaces a pending cell by its classified run, in place, and never the reverse', () => {
    const strip = [cell('b', 10, { state: 'pending', verdict: undefined }), cell('a', 0)];
    const done = mergeCells(strip, [cell('b', 10, { verdict: 'slow' })], 5);
    expect(done.map((c) => [c.runId, c.verdict])).toEqual([
      ['b', 'slow'],
      ['a', 'ok'],
    ]);
    expect(mergeCells(done, [cell('b', 10, { state: 'pending', verdict: undefined })], 5)).toBe(done);
  });

  it('slots a late verdict (a lost run) at its firing time, not on top', () => {
    const next = mergeCells([cell('c', 20), cell('a', 0)], [cell('b', 10, { verdict: 'lost' })], 5);
    expect(next.map((c) => c.runId)).toEqual(['c', 'b', 'a']);
  });

  it('keeps identity when nothing changed, so nothing is redrawn', () => {
    const strip = [cell('b', 10), cell('a', 0)];
    expect(mergeCells(strip, [], 5)).toBe(strip);
    expect(mergeCells(strip, [cell('b', 10)], 5)).toBe(strip);
    // Older than everything kept in a full strip: dropped at once.
    expect(mergeCells(strip, [cell('z', -10)], 2)).toBe(strip);
  });

  it('applies a batch of live runs to the right probes and their last failure', () => {
    const probes = [probeOverview({ name: 'p1', recent: [cell('a', 0)] }), probeOverview({ name: 'p2' })];
    const lost = runSummary({
      runId: 'x',
      probe: 'p1',
      firedAt: at(5),
      verdict: 'lost',
      fault: { service: 's', reason: 'r' },
    });
    const next = applyLiveRuns(probes, [lost, runSummary({ runId: 'y', probe: 'unknown-probe' })], 60);
    expect(next[0]!.recent.map((c) => c.runId)).toEqual(['x', 'a']);
    expect(next[0]!.lastFailure?.runId).toBe('x');
    expect(next[1]).toBe(probes[1]);
    expect(applyLiveRuns(probes, [], 60)).toBe(probes);
  });

  it('keeps live cells a refetch does not know yet', () => {
    const before = [probeOverview({ name: 'p1', recent: [cell('c', 20), cell('b', 10)] })];
    const fresh = [probeOverview({ name: 'p1', recent: [cell('b', 10), cell('a', 0)] })];
    const merged = mergeRefetched(before, fresh, 60);
    expect(merged[0]!.recent.map((c) => c.runId)).toEqual(['c', 'b', 'a']);
    const same = [probeOverview({ name: 'p1', recent: [cell('c', 20)] })];
    expect(mergeRefetched(before, same, 60)[0]).toBe(same[0]);
  });
});
