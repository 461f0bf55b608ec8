import { describe, expect, it } from 'vitest';
import { OTHER_TRACE_ID, PATH, RUN_TRACE_ID, TIMEOUT_MS, classifyRun } from './support/hops';

describe('classify: context-broken', () => {
  it('the run id reached the notifier under another trace: context-broken at the notifier, not lost', () => {
    const result = classifyRun({ hops: { notifier: { lostContext: true } } });
    expect(result.verdict).toBe('context-broken');
    expect(result.fault).toEqual({
      service: 'notifier',
      instance: 'notifier-1',
      reason:
        `notifier handled the run under trace ${OTHER_TRACE_ID}, not the run's trace ${RUN_TRACE_ID}` +
        ' (the trace context was lost between storage and notifier)',
    });
    // It is told apart from lost: the hop did arrive.
    expect(result.facts.missingHops).toEqual([]);
    expect(result.facts.hopsSeen).toContain('notifier');
    const notifier = result.hops.find((h) => h.service === 'notifier')!;
    expect(notifier.onTrace).toBe(false);
    expect(notifier.traceId).toBe(OTHER_TRACE_ID);
    expect(result.hops.filter((h) => h.onTrace).map((h) => h.service)).toEqual(PATH.slice(0, 4));
  });

  it('takes precedence over lost when a later expected hop is also missing', () => {
    const result = classifyRun(
      { hops: { notifier: { lostContext: true } }, path: [...PATH, 'archiver'] },
      {},
      TIMEOUT_MS + 250,
    );
    expect(result.facts.missingHops).toEqual(['archiver']);
    expect(result.verdict).toBe('context-broken');
    expect(result.fault).toMatchObject({ service: 'notifier', instance: 'notifier-1' });
  });

  it('takes precedence over an error on the run trace', () => {
    const result = classifyRun({
      hops: { notifier: { lostContext: true }, mailbox: { status: 'error', httpStatus: 500 } },
    });
    expect(result.verdict).toBe('context-broken');
    expect(result.fault?.service).toBe('notifier');
  });

  it('names the earliest hop in the path that arrived under another trace', () => {
    // storage started a new trace (and the notifier followed it there): the break is before storage.
    const result = classifyRun({
      hops: { storage: { lostContext: true } },
    });
    expect(result.verdict).toBe('context-broken');
    expect(result.fault?.service).toBe('storage');
    expect(result.fault?.reason).toContain('between recorder and storage');
    expect(result.hops.filter((h) => !h.onTrace).map((h) => h.service)).toEqual(['storage', 'notifier']);
  });
});
