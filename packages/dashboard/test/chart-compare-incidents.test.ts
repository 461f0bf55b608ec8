import { incidentSchema, type Incident } from '@hoptrace/core/api';
import { describe, expect, it } from 'vitest';
import { bucketRange, chartColumns, chartMaxMs, chartSpan, markerSpans } from '../src/lib/chart-data';
import { compareRuns } from '../src/lib/compare';
import { fixedZone } from '../src/lib/format';
import { applyIncidentEvent, incidentHeadline, incidentLatencies, sortIncidents } from '../src/lib/incident-words';
import { FIRED_MS, hop, runView } from './fixtures';

describe('latency chart data', () => {
  const series = {
    bucketMs: 60_000,
    points: [
      { startMs: 60_000, count: 6, faults: 0, unknown: 0, p50Ms: 40, p95Ms: 70 },
      { startMs: 120_000, count: 0, faults: 0, unknown: 0 },
      { startMs: 180_000, count: 6, faults: 1, unknown: 0, p50Ms: 45, p95Ms: 480 },
    ],
  };

  it('gives uPlot seconds, gaps as null, and a constant budget line', () => {
    expect(chartColumns(series.points, 800)).toEqual([
      [60, 120, 180],
      [40, null, 45],
      [70, null, 480],
      [800, 800, 800],
    ]);
    expect(chartColumns(series.points)[3]).toEqual([null, null, null]);
    expect(chartMaxMs(series.points, 800)).toBeCloseTo(880);
    expect(chartMaxMs([], undefined)).toBe(100);
  });

  it('turns a clicked bucket into the runs filter range', () => {
    expect(bucketRange(series, 2)).toEqual({ fromMs: 180_000, toMs: 239_999 });
    expect(bucketRange(series, 9)).toBeUndefined();
    expect(chartSpan(series)).toEqual({ fromMs: 60_000, toMs: 240_000 });
  });

  it('clips incident spans to the chart; open ones run to its end', () => {
    const spans = markerSpans(
      [
        {
          id: 'a',
          state: 'resolved',
          kind: 'slow',
          service: 'recorder',
          instance: 'recorder-2',
          startedAtMs: 0,
          resolvedAtMs: 100_000,
        },
        { id: 'b', state: 'open', kind: 'lost', service: 'notifier', startedAtMs: 200_000 },
        { id: 'c', state: 'resolved', kind: 'error', service: 'x', startedAtMs: 0, resolvedAtMs: 30_000 },
      ],
      { fromMs: 60_000, toMs: 240_000 },
    );
    expect(spans).toEqual([
      { id: 'a', fromMs: 60_000, toMs: 100_000, open: false, label: 'slow at recorder (recorder-2)' },
      { id: 'b', fromMs: 200_000, toMs: 240_000, open: true, label: 'lost at notifier' },
    ]);
  });
});

describe('run comparison', () => {
  it('pairs hops in expected-path order with deltas, then hops off the path', () => {
    const ok = runView({
      hops: [
        hop('gateway', { durationMs: 72 }),
        hop('recorder', { durationMs: 46 }),
        hop('notifier', { durationMs: 1 }),
      ],
    });
    const slow = runView({
      verdict: 'lost',
      hops: [
        hop('recorder', { durationMs: 358, instance: 'recorder-2' }),
        hop('gateway', { durationMs: 400 }),
        hop('audit', { expected: false }),
      ],
    });
    const rows = compareRuns(ok, slow);
    expect(rows.map((r) => [r.service, r.deltaMs])).toEqual([
      ['gateway', 328],
      ['mailbox', undefined],
      ['recorder', 312],
      ['storage', undefined],
      ['notifier', undefined],
      ['audit', undefined],
    ]);
    expect(rows[2]!.b?.instance).toBe('recorder-2');
    expect(rows[4]!.a?.durationMs).toBe(1);
    expect(rows[4]!.b).toBeUndefined();
    expect(rows[5]!.expected).toBe(false);
  });

  it('pairs repeated visits (retries) in order', () => {
    const a = runView({
      path: ['gateway'],
      hops: [hop('gateway', { offsetMs: 0, durationMs: 5 }), hop('gateway', { offsetMs: 10, durationMs: 7 })],
    });
    const b = runView({ path: ['gateway'], hops: [hop('gateway', { offsetMs: 0, durationMs: 6 })] });
    expect(compareRuns(a, b).map((r) => [r.a?.durationMs, r.b?.durationMs])).toEqual([
      [5, 6],
      [7, undefined],
    ]);
  });
});

describe('incidents in words', () => {
  const base: Incident = incidentSchema.parse({
    id: 'deposit-voicemail/recorder/recorder-2/slow/1',
    state: 'open',
    probe: 'deposit-voicemail',
    service: 'recorder',
    instance: 'recorder-2',
    kind: 'slow',
    startedAtMs: FIRED_MS,
    openedAtMs: FIRED_MS + 5000,
    lastSeenAtMs: FIRED_MS + 60_000,
    runsAffected: 4,
    worstMs: 431,
    typicalMs: 428,
    exampleRuns: [],
    reason: 'recorder took 428ms, budget 200ms',
  });
  const cet = fixedZone(60);

  it('says what, where, since when and how many runs', () => {
    expect(incidentHeadline(base, FIRED_MS + 120_000, cet)).toBe('recorder (recorder-2) slow since 15:02, 4 runs');
    const { instance: _i, ...wide } = base;
    expect(incidentHeadline({ ...wide, kind: 'lost', runsAffected: 1 }, FIRED_MS, cet)).toBe(
      'recorder (all instances) lost since 15:02, 1 run',
    );
    expect(
      incidentHeadline({ ...base, state: 'resolved', resolvedAtMs: FIRED_MS + 130_000 }, FIRED_MS + 200_000, cet),
    ).toBe('recorder (recorder-2) slow 15:02–15:04 (2m 10s), 4 runs');
    expect(incidentHeadline(base, FIRED_MS + 2 * 86_400_000, cet)).toBe(
      'recorder (recorder-2) slow since 2026-11-25 15:02, 4 runs',
    );
    expect(incidentLatencies(base)).toBe('431ms worst, 428ms typical');
    expect(incidentLatencies({})).toBeUndefined();
  });

  it('keeps the open list current from incident events', () => {
    const other = { ...base, id: 'b', startedAtMs: FIRED_MS + 1000 };
    let open = applyIncidentEvent([], base);
    open = applyIncidentEvent(open, other);
    expect(open.map((i) => i.id)).toEqual(['b', base.id]); // newest first
    open = applyIncidentEvent(open, { ...base, runsAffected: 5 });
    expect(open.find((i) => i.id === base.id)?.runsAffected).toBe(5);
    open = applyIncidentEvent(open, { ...other, state: 'resolved', resolvedAtMs: FIRED_MS + 9000 });
    expect(open.map((i) => i.id)).toEqual([base.id]);
    expect(sortIncidents([{ ...other, state: 'resolved' }, base]).map((i) => i.id)).toEqual([base.id, 'b']);
  });
});
