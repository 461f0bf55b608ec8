import { describe, expect, it } from 'vitest';
import { insertLiveRuns, queueRuns } from '../src/lib/live-list';
import { FIRED_MS, runSummary } from './fixtures';

const run = (id: string, s: number, verdict: 'ok' | 'lost' = 'ok') =>
  runSummary({ runId: id, firedAt: new Date(FIRED_MS + s * 1000).toISOString(), verdict });

describe('live runs list', () => {
  it('puts new runs on top, newest first, and replaces listed ones in place', () => {
    const list = { runs: [run('b', 10), run('a', 0)], next: '0.a' };
    const next = insertLiveRuns(list, [run('c', 20), run('d', 30), run('a', 0, 'lost')], 10);
    expect(next.runs.map((r) => r.runId)).toEqual(['d', 'c', 'b', 'a']);
    expect(next.runs[3]!.verdict).toBe('lost');
    expect(next.next).toBe('0.a');
  });

  it('trims the oldest rows past the cap and moves the cursor to the last row kept', () => {
    const list = { runs: [run('b', 10), run('a', 0)] };
    const next = insertLiveRuns(list, [run('c', 20)], 2);
    expect(next.runs.map((r) => r.runId)).toEqual(['c', 'b']);
    expect(next.next).toBe(`${FIRED_MS + 10_000}.b`);
  });

  it('queues runs while the user reads further down, deduplicated and capped', () => {
    const waiting = queueRuns([run('a', 0)], [run('b', 10), run('a', 0, 'lost')], 10);
    expect(waiting.map((r) => [r.runId, r.verdict])).toEqual([
      ['b', 'ok'],
      ['a', 'lost'],
    ]);
    expect(queueRuns(waiting, [run('c', 20)], 2).map((r) => r.runId)).toEqual(['c', 'b']);
  });
});
