import { describe, expect, it } from 'vitest';
import { TIMEOUT_MS, classifyRun } from './support/hops';

describe('classify: unexpected-path', () => {
  it('a service that is not in the path is blamed, at its instance', () => {
    const result = classifyRun({ calls: { recorder: ['storage', 'transcoder'] } });
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'transcoder',
      instance: 'transcoder-1',
      reason: 'transcoder is not in the expected path gateway → mailbox → recorder → storage → notifier',
    });
    expect(result.facts.extraHops).toEqual(['transcoder']);
    expect(result.facts.missingHops).toEqual([]);
    expect(result.hops.find((h) => h.service === 'transcoder')!.expected).toBe(false);
  });

  it('services out of order: the one that came after a later service is blamed', () => {
    // The gateway called the recorder before the mailbox.
    const result = classifyRun({ calls: { gateway: ['recorder', 'mailbox'] } });
    expect(result.facts.hopsSeen).toEqual(['gateway', 'recorder', 'storage', 'notifier', 'mailbox']);
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'mailbox',
      instance: 'mailbox-1',
      reason: 'mailbox came out of order: seen gateway → recorder → storage → notifier → mailbox',
    });
  });

  it('a service missing in the middle while later ones reported is unexpected-path, not lost', () => {
    const result = classifyRun({ silent: ['mailbox'] }, {}, TIMEOUT_MS + 250);
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'mailbox',
      reason: 'mailbox did not report, but later services did (skipped, or not instrumented)',
    });
    expect(result.facts.firstMissingHop).toBe('mailbox');
    expect(result.facts.lastHopReached).toBe('gateway');
    expect(result.facts.missingHops).toEqual(['mailbox']);
  });

  it('a silent service in the middle that calls others does not hide the later hops', () => {
    // recorder is not instrumented: storage's parent span is unknown, yet storage and notifier count.
    const result = classifyRun({ silent: ['recorder'] }, {}, TIMEOUT_MS + 250);
    expect(result.facts.hopsSeen).toEqual(['gateway', 'mailbox', 'storage', 'notifier']);
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault?.service).toBe('recorder');
  });
});
