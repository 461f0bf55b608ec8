import { describe, expect, it } from 'vitest';
import { BaselineStore } from '../src/stats/baselines';
import { learnBaselines } from '../src/stats/learn-baselines';
import { PROBE } from './support/hops';
import { RESULTS, resultAt } from './support/scenarios';
import { summarizeResult } from '../src/store/run-summary';
import type { RunResult } from '../src/store/run-store';

const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const HOUR_MS = 3_600_000;

/** Records `count` hops of `latencyMs`, one a second before now. */
function recordMany(
  store: BaselineStore,
  instance: string,
  count: number,
  latencyMs: number,
  service = 'recorder',
): void {
  for (let i = 0; i < count; i++) store.record(PROBE, service, instance, latencyMs, NOW_MS - 1000 * (i + 1));
}

describe('BaselineStore', () => {
  it('an instance with enough samples has its own baseline', () => {
    const store = new BaselineStore(() => NOW_MS);
    recordMany(store, 'recorder-1', 30, 20);
    recordMany(store, 'recorder-2', 30, 80);
    const own = store.baseline(PROBE, 'recorder', 'recorder-2');
    expect(own?.samples).toBe(30);
    expect(own?.p90Ms).toBeCloseTo(80, 0);
    expect(own?.p50Ms).toBeCloseTo(80, 0);
    expect(store.baseline(PROBE, 'recorder', 'recorder-1')?.p90Ms).toBeCloseTo(20, 0);
  });

  it('an instance with too few samples (or none) falls back to its service', () => {
    const store = new BaselineStore(() => NOW_MS);
    recordMany(store, 'recorder-1', 30, 20);
    recordMany(store, 'recorder-2', 5, 300);
    // recorder-2's 5 samples are too few: the service's 35 hops are its baseline.
    const fallback = store.baseline(PROBE, 'recorder', 'recorder-2');
    expect(fallback?.samples).toBe(35);
    expect(fallback?.p50Ms).toBeCloseTo(20, 0);
    expect(store.baseline(PROBE, 'recorder', 'recorder-9')?.samples).toBe(35);
    // Another service or probe has none.
    expect(store.baseline(PROBE, 'storage', 'storage-1')).toBeUndefined();
    expect(store.baseline('another-probe', 'recorder', 'recorder-1')).toBeUndefined();
  });

  it('the samples needed before an instance has its own baseline can be set', () => {
    const store = new BaselineStore(() => NOW_MS, 5000, 5);
    recordMany(store, 'recorder-1', 30, 20);
    recordMany(store, 'recorder-2', 5, 300);
    expect(store.baseline(PROBE, 'recorder', 'recorder-2')).toMatchObject({ samples: 5 });
    expect(store.baseline(PROBE, 'recorder', 'recorder-2')?.p90Ms).toBeCloseTo(300, -1);
  });

  it('keeps the last hour: older samples leave the baseline', () => {
    let now = NOW_MS;
    const store = new BaselineStore(() => now);
    recordMany(store, 'recorder-1', 30, 20);
    expect(store.baseline(PROBE, 'recorder', 'recorder-1')?.samples).toBe(30);
    now = NOW_MS + 2 * HOUR_MS;
    expect(store.baseline(PROBE, 'recorder', 'recorder-1')).toBeUndefined();
    store.record(PROBE, 'recorder', 'recorder-1', 40, now - 1000);
    // Read afresh each time (no cache): the new sample counts at once.
    expect(store.baseline(PROBE, 'recorder', 'recorder-1')).toMatchObject({ samples: 1 });
  });

  it('is bounded: past its series count, the series updated longest ago is dropped', () => {
    // Each instance takes two series (its own and its service's).
    const store = new BaselineStore(() => NOW_MS, 2, 1);
    store.record(PROBE, 'recorder', 'recorder-1', 20, NOW_MS - 3000);
    store.record(PROBE, 'storage', 'storage-1', 10, NOW_MS - 2000);
    expect(store.baseline(PROBE, 'recorder', 'recorder-1')).toBeUndefined();
    expect(store.baseline(PROBE, 'storage', 'storage-1')).toMatchObject({ samples: 1 });
  });
});

describe('learnBaselines', () => {
  const at = { runId: 'run-1', firedAtMs: NOW_MS - 1000 };

  function learned(result: RunResult): Record<string, number | undefined> {
    const store = new BaselineStore(() => NOW_MS, 5000, 1);
    learnBaselines(store, summarizeResult(result));
    const out: Record<string, number | undefined> = {};
    for (const hop of result.hops)
      out[`${hop.service}/${hop.instance}`] = store.baseline(PROBE, hop.service, hop.instance)?.samples;
    return out;
  }

  it('an ok run teaches every hop its latency', () => {
    const store = new BaselineStore(() => NOW_MS, 5000, 1);
    const result = resultAt(at);
    learnBaselines(store, summarizeResult(result));
    for (const hop of result.hops) {
      const baseline = store.baseline(PROBE, hop.service, hop.instance);
      expect(baseline?.samples).toBe(1);
      expect(baseline?.p50Ms).toBeCloseTo(hop.durationMs, 0);
    }
  });

  it('skips the hop the verdict blames: a slow instance must not teach itself that slow is normal', () => {
    const result = resultAt(at, { hops: { recorder: { instance: 'recorder-2', workMs: 260 } } });
    expect(result.verdict).toBe('slow');
    expect(learned(result)).toEqual({
      'gateway/gateway-1': 1,
      'mailbox/mailbox-1': 1,
      'recorder/recorder-2': undefined,
      'storage/storage-1': 1,
      'notifier/notifier-1': 1,
    });
  });

  it('skips hops that failed', () => {
    // storage failed; the recorder and gateway passed the error on (their hops failed too).
    const result = resultAt(at, {
      calls: { storage: [] },
      hops: {
        storage: { status: 'error', httpStatus: 500, errorType: 'Error', errorMessage: 'disk full' },
        recorder: { status: 'error', httpStatus: 502 },
      },
    });
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('storage');
    expect(learned(result)).toEqual({
      'gateway/gateway-1': 1,
      'mailbox/mailbox-1': 1,
      'recorder/recorder-1': undefined,
      'storage/storage-1': undefined,
    });
  });

  it('skips hops off the run trace', () => {
    // The notifier lost the context: its hop is under another trace, and the verdict blames it.
    // Its hop must not be learned even if the verdict had blamed elsewhere.
    const result = resultAt(at, { hops: { notifier: { lostContext: true } } });
    expect(result.verdict).toBe('context-broken');
    const blamedElsewhere = { ...result, fault: { service: 'gateway', instance: 'gateway-1', reason: 'elsewhere' } };
    expect(learned(blamedElsewhere)['notifier/notifier-1']).toBeUndefined();
    expect(learned(blamedElsewhere)['storage/storage-1']).toBe(1);
  });

  it('an unknown run teaches nothing', () => {
    const result = RESULTS.ok();
    const unknown = { ...result, verdict: 'unknown' as const, run: { ...result.run, firedAtMs: NOW_MS - 1000 } };
    expect(Object.values(learned(unknown)).every((samples) => samples === undefined)).toBe(true);
    expect(Object.keys(learned(unknown))).toHaveLength(5);
  });
});
