import { describe, expect, it } from 'vitest';
import type { Baseline } from '../src/classifier/baseline-rule';
import { classifyRun, hopOf } from './support/hops';

/** The mailbox has no budget (only the recorder has one): its usual p90 is 20 ms, from 25 healthy hops. */
const USUAL: Baseline = { p50Ms: 15, p90Ms: 20, samples: 25 };

function baselineOf(entries: Record<string, Baseline>) {
  return (service: string, instance: string): Baseline | undefined =>
    entries[`${service}/${instance}`] ?? entries[service];
}

describe('classify: slow against a learned baseline (hops without a budget)', () => {
  it('a hop far over its usual p90 and over the floor is slow, and the reason says what is usual', () => {
    const result = classifyRun({ hops: { mailbox: { workMs: 150 } } }, { baseline: baselineOf({ mailbox: USUAL }) });
    expect(hopOf(result.built.hops, 'mailbox').durationUs).toBe(150_000);
    expect(result.verdict).toBe('slow');
    expect(result.fault).toEqual({
      service: 'mailbox',
      instance: 'mailbox-1',
      reason: 'mailbox took 150ms, over 3× its usual p90 of 20ms (limit 100ms)',
    });
  });

  it('a hop over 3 × p90 but under the 100 ms floor is not slow', () => {
    const result = classifyRun({ hops: { mailbox: { workMs: 90 } } }, { baseline: baselineOf({ mailbox: USUAL }) });
    expect(result.verdict).toBe('ok');
    expect(result.fault).toBeUndefined();
  });

  it('above the floor, the limit is 3 × p90', () => {
    const usual = { p50Ms: 40, p90Ms: 60, samples: 100 };
    expect(
      classifyRun({ hops: { mailbox: { workMs: 170 } } }, { baseline: baselineOf({ mailbox: usual }) }).verdict,
    ).toBe('ok');
    const slow = classifyRun({ hops: { mailbox: { workMs: 190 } } }, { baseline: baselineOf({ mailbox: usual }) });
    expect(slow.verdict).toBe('slow');
    expect(slow.fault?.reason).toBe('mailbox took 190ms, over 3× its usual p90 of 60ms (limit 180ms)');
  });

  it('a baseline with fewer than 20 samples is not trusted yet: the hop is not judged', () => {
    const young = { ...USUAL, samples: 19 };
    const result = classifyRun({ hops: { mailbox: { workMs: 600 } } }, { baseline: baselineOf({ mailbox: young }) });
    expect(result.verdict).toBe('ok');
  });

  it('the rule can be changed: factor, floor and samples needed', () => {
    const baseline = baselineOf({ mailbox: { p50Ms: 15, p90Ms: 20, samples: 5 } });
    const baselineRule = { factor: 2, floorMs: 30, minSamples: 5 };
    expect(classifyRun({ hops: { mailbox: { workMs: 39 } } }, { baseline, baselineRule }).verdict).toBe('ok');
    const slow = classifyRun({ hops: { mailbox: { workMs: 45 } } }, { baseline, baselineRule });
    expect(slow.verdict).toBe('slow');
    expect(slow.fault?.reason).toBe('mailbox took 45ms, over 2× its usual p90 of 20ms (limit 40ms)');
  });

  it("the baseline asked is the hop's own instance", () => {
    const asked: string[] = [];
    const baseline = (service: string, instance: string): Baseline | undefined => {
      asked.push(`${service}/${instance}`);
      return instance === 'mailbox-2' ? USUAL : undefined;
    };
    const result = classifyRun({ hops: { mailbox: { workMs: 150, instance: 'mailbox-2' } } }, { baseline });
    expect(asked).toContain('mailbox/mailbox-2');
    expect(result.verdict).toBe('slow');
    expect(result.fault).toMatchObject({ service: 'mailbox', instance: 'mailbox-2' });
    // The same hop at an instance with no baseline is not judged.
    expect(classifyRun({ hops: { mailbox: { workMs: 150, instance: 'mailbox-3' } } }, { baseline }).verdict).toBe('ok');
  });

  it('without any baseline, hops without a budget are never slow', () => {
    expect(classifyRun({ hops: { mailbox: { workMs: 600 } } }).verdict).toBe('ok');
  });

  it('a budget, when set, wins over the baseline', () => {
    // The recorder's budget is 200 ms; its baseline alone (p90 10 ms, limit 100 ms) would call ~150 ms slow.
    const baseline = baselineOf({ recorder: { p50Ms: 8, p90Ms: 10, samples: 500 } });
    const within = classifyRun({ hops: { recorder: { workMs: 140 } } }, { baseline });
    expect(hopOf(within.built.hops, 'recorder').durationUs / 1000).toBeGreaterThan(140);
    expect(within.verdict).toBe('ok');
    const over = classifyRun({ hops: { recorder: { workMs: 260 } } }, { baseline });
    expect(over.verdict).toBe('slow');
    expect(over.fault?.reason).toMatch(/^recorder took \d+ms, budget 200ms$/);
  });

  it('when a budgeted hop and a baseline-judged hop are both over, the one most over its limit is blamed', () => {
    // recorder: ~270 ms over a 200 ms budget (×1.35); mailbox: 300 ms over a 100 ms limit (×3).
    const result = classifyRun(
      {
        hops: { recorder: { workMs: 260 }, mailbox: { workMs: 300 } },
        budget: { totalMs: 5000, hopsMs: { recorder: 200 } },
      },
      { baseline: baselineOf({ mailbox: USUAL }) },
    );
    expect(result.verdict).toBe('slow');
    expect(result.fault?.service).toBe('mailbox');
  });
});
