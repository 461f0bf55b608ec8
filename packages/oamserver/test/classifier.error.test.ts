import { describe, expect, it } from 'vitest';
import { classifyRun, type ChainOptions } from './support/hops';

describe('classify: error', () => {
  const storage500: ChainOptions = {
    hops: {
      gateway: { status: 'error', httpStatus: 502 },
      recorder: { status: 'error', httpStatus: 502, errorType: 'UpstreamError', errorMessage: 'storage answered 500' },
      storage: { status: 'error', httpStatus: 500, errorType: 'Error', errorMessage: 'disk full' },
    },
    // storage failed before it published, so the notifier never got the message.
    calls: { storage: [] },
    trigger: { ok: false, status: 502, error: 'expected 201, got 502 from POST http://127.0.0.1:7001/calls' },
  };

  it('blames the deepest failing hop in path order, not the callers that passed the error on', () => {
    const result = classifyRun(storage500);
    expect(result.verdict).toBe('error');
    expect(result.fault).toEqual({ service: 'storage', instance: 'storage-1', reason: 'HTTP 500, Error: disk full' });
    expect(result.facts.missingHops).toEqual(['notifier']);
  });

  it('blames the same hop whatever order the records were read in', () => {
    const built = classifyRun(storage500).built;
    const rotated = [...built.hops.slice(2), ...built.hops.slice(0, 2)];
    for (const hops of [built.hops, [...built.hops].reverse(), rotated]) {
      expect(hops).toHaveLength(4);
      const result = classifyRun(storage500, { hops });
      expect(result.fault?.service).toBe('storage');
    }
  });

  it('blames the deepest hop that failed, even when a deeper hop succeeded', () => {
    // storage answered fine; recorder failed afterwards (e.g. encoding the answer).
    const result = classifyRun({
      hops: {
        gateway: { status: 'error', httpStatus: 502 },
        recorder: { status: 'error', httpStatus: 500, errorType: 'TypeError', errorMessage: 'x is undefined' },
      },
    });
    expect(result.verdict).toBe('error');
    expect(result.fault).toMatchObject({ service: 'recorder', instance: 'recorder-1' });
    expect(result.fault!.reason).toBe('HTTP 500, TypeError: x is undefined');
  });

  it('an error on a consumer hop without an HTTP status is still described', () => {
    const result = classifyRun({ hops: { notifier: { status: 'error' } } });
    expect(result.verdict).toBe('error');
    expect(result.fault).toEqual({
      service: 'notifier',
      instance: 'notifier-1',
      reason: 'the hop reported an error',
    });
  });

  it('an unexpected trigger status with every hop ok is an error at the entry hop', () => {
    const result = classifyRun({
      trigger: { ok: false, status: 200, error: 'expected 201, got 200 from POST http://127.0.0.1:7001/calls' },
    });
    expect(result.verdict).toBe('error');
    expect(result.fault).toEqual({
      service: 'gateway',
      instance: 'gateway-1',
      reason: 'expected 201, got 200 from POST http://127.0.0.1:7001/calls',
    });
  });
});
