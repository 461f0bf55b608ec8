import { describe, expect, it } from 'vitest';
import { PATH, TIMEOUT_MS, classifyRun } from './support/hops';

/** Runs with missing hops are classified at their deadline. */
const AT_DEADLINE_MS = TIMEOUT_MS + 250;

describe('classify: lost', () => {
  it('the notifier never reported: lost at the notifier, last hop reached storage', () => {
    const result = classifyRun({ silent: ['notifier'] }, {}, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault?.service).toBe('notifier');
    // No hop, so no instance to blame.
    expect(result.fault?.instance).toBeUndefined();
    expect(result.fault?.reason).toBe('no hop from notifier within 5s; the run last reached storage (storage-1)');
    expect(result.facts.firstMissingHop).toBe('notifier');
    expect(result.facts.lastHopReached).toBe('storage');
    expect(result.facts.missingHops).toEqual(['notifier']);
    expect(result.facts.hopsSeen).toEqual(['gateway', 'mailbox', 'recorder', 'storage']);
  });

  it('the first missing hop is named when the chain stops in the middle', () => {
    // recorder crashed before it called storage: nothing downstream happened.
    const result = classifyRun({ silent: ['recorder'], calls: { recorder: [] } }, {}, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault?.service).toBe('recorder');
    expect(result.facts.firstMissingHop).toBe('recorder');
    expect(result.facts.missingHops).toEqual(['recorder', 'storage', 'notifier']);
    expect(result.facts.lastHopReached).toBe('mailbox');
  });

  it('nothing reached: lost at the first service, no last hop', () => {
    const result = classifyRun({}, { hops: [] }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault).toEqual({
      service: 'gateway',
      reason: 'no hop at all within 5s; the run never reached gateway',
    });
    expect(result.facts.lastHopReached).toBeUndefined();
    expect(result.facts.firstMissingHop).toBe('gateway');
    expect(result.facts.missingHops).toEqual(PATH);
    expect(result.facts.totalMs).toBeUndefined();
  });
});
