import { describe, expect, it } from 'vitest';
import { PATH, classifyRun, hopOf } from './support/hops';

describe('classify: ok', () => {
  it('a run that passed every service in order, within budget, is ok with the facts behind it', () => {
    const result = classifyRun();
    expect(result.verdict).toBe('ok');
    expect(result.fault).toBeUndefined();
    expect(result.facts.expectedPath).toEqual(PATH);
    expect(result.facts.hopsSeen).toEqual(PATH);
    expect(result.facts.missingHops).toEqual([]);
    expect(result.facts.extraHops).toEqual([]);
    expect(result.facts.firstMissingHop).toBeUndefined();
    expect(result.facts.lastHopReached).toBe('notifier');
    expect(result.facts.clockSkew).toEqual([]);
    expect(result.facts.totalBudgetMs).toBe(800);
    // End to end includes the notifier's asynchronous tail after the gateway answered.
    const gatewayMs = hopOf(result.built.hops, 'gateway').durationUs / 1000;
    expect(result.facts.totalMs).toBeGreaterThan(gatewayMs);
    expect(result.facts.totalMs).toBeLessThanOrEqual(result.built.trueEndMs);
    expect(result.facts.totalMs).toBeGreaterThan(result.built.trueEndMs - 2);
  });

  it('reports each hop in causal order, in milliseconds, with its budget', () => {
    const result = classifyRun();
    expect(result.hops.map((h) => h.service)).toEqual(PATH);
    expect(result.hops.every((h) => h.expected && h.onTrace)).toBe(true);
    const recorder = result.hops.find((h) => h.service === 'recorder')!;
    expect(recorder.budgetMs).toBe(200);
    expect(recorder.durationMs).toBe(hopOf(result.built.hops, 'recorder').durationUs / 1000);
    expect(result.hops.find((h) => h.service === 'notifier')!.queueWaitMs).toBe(3);
    expect(result.hops.find((h) => h.service === 'mailbox')!.budgetMs).toBeUndefined();
  });

  it('is deterministic and does not depend on the order the records were read in', () => {
    const first = classifyRun();
    const reversed = classifyRun({}, { hops: [...first.built.hops].reverse() });
    expect(reversed.verdict).toBe('ok');
    expect(reversed.facts.hopsSeen).toEqual(first.facts.hopsSeen);
    expect(reversed.facts.totalMs).toBe(first.facts.totalMs);
  });
});

describe('classify: slow', () => {
  it('a hop over its hop budget is slow at that hop and instance', () => {
    const result = classifyRun({ hops: { recorder: { workMs: 260, instance: 'recorder-7' } } });
    expect(result.verdict).toBe('slow');
    expect(result.fault).toMatchObject({ service: 'recorder', instance: 'recorder-7' });
    expect(result.fault!.reason).toMatch(/^recorder took \d+ms, budget 200ms$/);
    // The run as a whole stayed within its total budget: only the hop budget was broken.
    expect(result.facts.totalMs).toBeLessThan(800);
  });

  it('with several hops over budget, names the one most over (by ratio)', () => {
    const result = classifyRun({
      hops: { recorder: { workMs: 260 }, mailbox: { workMs: 30 } },
      budget: { totalMs: 800, hopsMs: { recorder: 200, mailbox: 10 } },
    });
    expect(result.verdict).toBe('slow');
    expect(result.fault).toMatchObject({ service: 'mailbox', instance: 'mailbox-1' });
  });

  it('a run over its total budget with every hop within its own names the hop with the most time of its own', () => {
    // storage works 790 ms; recorder and gateway last longer (they wait for it) but do little themselves.
    const result = classifyRun({ hops: { storage: { workMs: 790 } }, budget: { totalMs: 800 } });
    expect(result.verdict).toBe('slow');
    expect(result.fault).toMatchObject({ service: 'storage', instance: 'storage-1' });
    expect(result.fault!.reason).toMatch(/^the run took 8\d\dms, budget 800ms; most time in storage$/);
    expect(result.facts.totalMs).toBeGreaterThan(800);
    expect(result.facts.totalBudgetMs).toBe(800);
  });

  it('counts the asynchronous tail (a slow consumer after the entry answered) against the total budget', () => {
    const result = classifyRun({ hops: { notifier: { workMs: 900 } } });
    expect(hopOf(result.built.hops, 'gateway').durationUs / 1000).toBeLessThan(100);
    expect(result.verdict).toBe('slow');
    expect(result.fault).toMatchObject({ service: 'notifier', instance: 'notifier-1' });
  });

  it('within the total budget and every hop budget, a slower run is still ok', () => {
    const result = classifyRun({ hops: { recorder: { workMs: 150 }, notifier: { workMs: 500 } } });
    expect(result.verdict).toBe('ok');
  });

  it('without budgets nothing is slow', () => {
    const result = classifyRun({ hops: { recorder: { workMs: 2000 } }, budget: null });
    expect(result.verdict).toBe('ok');
    expect(result.facts.totalBudgetMs).toBeUndefined();
  });
});
