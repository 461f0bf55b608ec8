import { describe, expect, it } from 'vitest';
import { TIMEOUT_MS, classifyRun } from './support/hops';

const AT_DEADLINE_MS = TIMEOUT_MS + 250;
/** Earlier runs showed the recorder calling storage, the gateway calling the recorder. */
const callerOf = (service: string) => ({ storage: 'recorder', recorder: 'gateway', mailbox: 'gateway' })[service];

describe('classify: where a run stopped, and which slow hop is to blame', () => {
  it('the recorder answered but never called storage (as it does in other runs): lost, blamed on the recorder', () => {
    // recorder-1 accepted the recording and answered without passing it on (no call at all).
    const result = classifyRun(
      { silent: ['storage', 'notifier'], calls: { recorder: [] }, hops: { recorder: { instance: 'recorder-1' } } },
      { callerOf },
      AT_DEADLINE_MS,
    );
    expect(result.verdict).toBe('lost');
    expect(result.facts).toMatchObject({ firstMissingHop: 'storage', lastHopReached: 'recorder' });
    expect(result.fault).toEqual({
      service: 'recorder',
      instance: 'recorder-1',
      reason: 'recorder (recorder-1) handled the run but never called storage, as it does in other runs',
    });
  });

  it('without knowing who calls storage, the missing hop is named as before', () => {
    const result = classifyRun({ silent: ['storage', 'notifier'], calls: { recorder: [] } }, {}, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault?.service).toBe('storage');
  });

  it('a caller that did call (its call went unanswered) is not blamed for stopping', () => {
    // The recorder called storage, but storage left no hop: the fault is storage's.
    const result = classifyRun({ silent: ['storage', 'notifier'] }, { callerOf }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault?.service).toBe('storage');
  });

  it('when a caller and its callee are both over their limits, the callee is slow, not the caller', () => {
    // The gateway's duration holds the recorder's; judged by baselines, both are over.
    const result = classifyRun(
      { hops: { recorder: { workMs: 400, instance: 'recorder-2' } }, budget: { hopsMs: {} } },
      {
        baseline: (service) => ({ p50Ms: 5, p90Ms: service === 'gateway' ? 10 : 60, samples: 100 }),
        baselineRule: { factor: 3, floorMs: 100, minSamples: 20 },
      },
    );
    expect(result.verdict).toBe('slow');
    expect(result.fault).toMatchObject({ service: 'recorder', instance: 'recorder-2' });
  });
});
