import { describe, expect, it } from 'vitest';
import { axisTicks, buildWaterfall, faultHop, niceCeil, type GhostRow, type HopRow } from '../src/lib/waterfall';
import { hop, PATH, runView } from './fixtures';

describe('waterfall geometry', () => {
  it('picks round axis ends and ticks', () => {
    expect(niceCeil(480)).toBe(500);
    expect(niceCeil(72)).toBe(100);
    expect(niceCeil(201)).toBe(250);
    expect(niceCeil(0)).toBe(1);
    expect(axisTicks(500).map((t) => t.ms)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(axisTicks(250).map((t) => t.pct)).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('lays hops on the expected path with bars on a shared axis', () => {
    const run = runView({
      verdict: 'slow',
      fault: { service: 'recorder', instance: 'recorder-1', reason: 'recorder took 457ms, budget 200ms' },
      facts: {
        expectedPath: PATH,
        hopsSeen: PATH,
        missingHops: [],
        extraHops: [],
        deadlineMs: 5000,
        totalMs: 480,
        totalBudgetMs: 800,
        clockSkew: [],
      },
      hops: [
        // Arrived out of order: the rows follow the path, not the array.
        hop('recorder', { offsetMs: 20, durationMs: 450, budgetMs: 200 }),
        hop('gateway', { offsetMs: 0, durationMs: 480 }),
        hop('mailbox', { offsetMs: 5, durationMs: 10, slowAboveMs: 40 }),
        hop('storage', { offsetMs: 430, durationMs: 30 }),
        hop('notifier', { offsetMs: 470, durationMs: 0, kind: 'consumer', queueWaitMs: 5 }),
      ],
    });
    const model = buildWaterfall(run);
    expect(model.scaleMs).toBe(500);
    expect(model.rows.map((r) => r.service)).toEqual(PATH);
    expect(model.rows.map((r) => (r as HopRow).position)).toEqual([1, 2, 3, 4, 5]);
    const recorder = model.rows[2] as HopRow;
    expect(recorder.bar.startPct).toBe(4);
    expect(recorder.bar.widthPct).toBe(90);
    // The part over budget starts at offset + budget and lasts duration - budget.
    expect(recorder.limit).toEqual({ kind: 'budget', ms: 200, overMs: 250 });
    expect(recorder.bar.over).toEqual({ startPct: 44, widthPct: 50 });
    expect(recorder.bar.limitPct).toBe(44);
    expect(recorder.atFault).toBe(true);
    const mailbox = model.rows[1] as HopRow;
    expect(mailbox.limit).toEqual({ kind: 'baseline', ms: 40 });
    expect(mailbox.bar.over).toBeUndefined();
    expect(model.totalPct).toBe(96);
    // A run budget beyond the axis is not drawn (it would squash the bars).
    expect(model.totalBudgetPct).toBeUndefined();
    expect(model.faultSpanId).toBe(recorder.hop.spanId);
    expect(model.offsetsEstimated).toBe(false);
  });

  it('draws a ghost row for each hop that never arrived, saying why', () => {
    const lost = runView({
      verdict: 'lost',
      fault: { service: 'notifier', reason: 'no hop from notifier within 5s' },
      facts: {
        expectedPath: PATH,
        hopsSeen: ['gateway', 'mailbox', 'recorder', 'storage'],
        lastHopReached: 'storage',
        firstMissingHop: 'notifier',
        missingHops: ['notifier'],
        extraHops: [],
        deadlineMs: 5000,
        clockSkew: [],
      },
      hops: [hop('gateway'), hop('mailbox'), hop('recorder'), hop('storage')],
    });
    const ghost = buildWaterfall(lost).rows[4] as GhostRow;
    expect(ghost).toMatchObject({ kind: 'ghost', service: 'notifier', position: 5, atFault: true });
    expect(ghost.reason).toBe('lost: never reached (last reached: storage)');

    const broken = buildWaterfall(
      runView({ verdict: 'context-broken', fault: { service: 'notifier', reason: 'r' }, hops: [hop('gateway')] }),
    );
    expect((broken.rows[4] as GhostRow).reason).toBe('context broken: arrived under another trace');
    expect((broken.rows[1] as GhostRow).reason).toBe('missing: never reached');

    const unknown = buildWaterfall(runView({ verdict: 'unknown', hops: [] }));
    expect((unknown.rows[0] as GhostRow).reason).toBe('not judged: hoptrace could not read storage');

    const pending = buildWaterfall(runView({ state: 'pending', hops: [] }));
    expect((pending.rows[0] as GhostRow).reason).toMatch(/^not arrived yet/);
  });

  it('puts a hop off the path right after the hop that called it, and marks off-trace hops', () => {
    const recorder = hop('recorder', { offsetMs: 20 });
    const audit = hop('audit', { offsetMs: 25, expected: false, parentSpanId: recorder.spanId });
    const notifier = hop('notifier', { offsetMs: 40, onTrace: false, traceId: 'b'.repeat(32) });
    const model = buildWaterfall(
      runView({
        path: ['gateway', 'recorder', 'notifier'],
        hops: [hop('gateway', { offsetMs: 0 }), audit, recorder, notifier],
      }),
    );
    expect(model.rows.map((r) => r.service)).toEqual(['gateway', 'recorder', 'audit', 'notifier']);
    const extra = model.rows[2] as HopRow;
    expect(extra.unexpected).toBe(true);
    expect(extra.position).toBeUndefined();
    expect((model.rows[3] as HopRow).offTrace).toBe(true);
  });

  it('marks duplicate hops and puts each right after the hop it repeats, the hops it caused after it', () => {
    // A replay of recorder's call (same parent span, later), and a replay of the entry whose
    // second chain reached mailbox again: shown, not on the path.
    const gateway = hop('gateway', { offsetMs: 0, durationMs: 60, parentSpanId: 'f'.repeat(16) });
    const mailbox = hop('mailbox', { offsetMs: 5, parentSpanId: gateway.spanId });
    const recorder = hop('recorder', { offsetMs: 20, parentSpanId: mailbox.spanId });
    const replayedRecorder = hop('recorder', {
      offsetMs: 30,
      parentSpanId: mailbox.spanId,
      status: 'error',
      duplicate: true,
    });
    const replayedGateway = hop('gateway', { offsetMs: 70, parentSpanId: 'f'.repeat(16), duplicate: true });
    const replayedMailbox = hop('mailbox', { offsetMs: 72, parentSpanId: replayedGateway.spanId, duplicate: true });
    const model = buildWaterfall(
      runView({
        path: ['gateway', 'mailbox', 'recorder'],
        // A duplicate that started first in the array must not take the path's place either.
        hops: [replayedRecorder, replayedMailbox, replayedGateway, recorder, mailbox, gateway],
      }),
    );
    const rows = model.rows as HopRow[];
    expect(rows.map((r) => [r.service, r.position, r.duplicate])).toEqual([
      ['gateway', 1, false],
      ['gateway', undefined, true],
      ['mailbox', undefined, true],
      ['mailbox', 2, false],
      ['recorder', 3, false],
      ['recorder', undefined, true],
    ]);
    expect(rows[1]!.hop.spanId).toBe(replayedGateway.spanId);
    expect(rows[5]!.hop.spanId).toBe(replayedRecorder.spanId);
    // A duplicate is neither unexpected nor at fault.
    expect(rows.filter((r) => r.unexpected || r.atFault)).toEqual([]);
  });

  it('never puts the fault on a duplicate of the same instance', () => {
    const replayed = hop('recorder', { offsetMs: 1, status: 'error', duplicate: true });
    const judged = hop('recorder', { offsetMs: 2, durationMs: 500 });
    const run = runView({
      verdict: 'slow',
      path: ['recorder'],
      fault: { service: 'recorder', instance: 'recorder-1', reason: 'slow' },
      hops: [replayed, judged],
    });
    expect(faultHop(run)?.spanId).toBe(judged.spanId);
    const model = buildWaterfall(run);
    expect(model.faultSpanId).toBe(judged.spanId);
    expect((model.rows as HopRow[]).map((r) => [r.hop.spanId, r.atFault, r.duplicate])).toEqual([
      [judged.spanId, true, false],
      [replayed.spanId, false, true],
    ]);
  });

  it('falls back to wall clocks when the classifier gave no offset, and says so', () => {
    const model = buildWaterfall(
      runView({ hops: [hop('gateway', { offsetMs: undefined, startMs: Date.parse('2026-11-25T14:02:11.050Z') })] }),
    );
    expect((model.rows[0] as HopRow).offsetMs).toBe(50);
    expect(model.offsetsEstimated).toBe(true);
  });

  it('finds the failing hop by service and instance', () => {
    const run = runView({
      fault: { service: 'recorder', instance: 'recorder-2', reason: 'r' },
      hops: [hop('recorder', { instance: 'recorder-1' }), hop('recorder', { instance: 'recorder-2' })],
    });
    expect(faultHop(run)?.instance).toBe('recorder-2');
    expect(faultHop(runView({ hops: [hop('gateway')] }))).toBeUndefined();
  });
});
