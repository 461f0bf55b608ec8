import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../src/classifier/classify';
import { isFault } from '../src/classifier/types';
import { PATH, TIMEOUT_MS, buildRun, classifyRun, type ChainOptions } from './support/hops';

const AT_DEADLINE_MS = TIMEOUT_MS + 250;

// classify.ts: unknown > trigger-failed > context-broken > error > lost > unexpected-path > slow > ok.
describe('classify: verdict precedence', () => {
  it('error beats lost: storage failed, so the notifier never got the message', () => {
    const result = classifyRun(
      { hops: { storage: { status: 'error', httpStatus: 500 } }, calls: { storage: [] } },
      {},
      AT_DEADLINE_MS,
    );
    expect(result.facts.firstMissingHop).toBe('notifier');
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('storage');
  });

  it('a failing hop is evidence: a storage gap does not turn it into unknown', () => {
    const result = classifyRun(
      { hops: { storage: { status: 'error', httpStatus: 500 } }, calls: { storage: [] } },
      { storageGap: true },
      AT_DEADLINE_MS,
    );
    expect(result.verdict).toBe('error');
  });

  it('lost beats unexpected-path: an extra service and a missing last hop', () => {
    const result = classifyRun(
      { calls: { recorder: ['storage', 'transcoder'] }, silent: ['notifier'] },
      {},
      AT_DEADLINE_MS,
    );
    expect(result.facts.extraHops).toEqual(['transcoder']);
    expect(result.verdict).toBe('lost');
    expect(result.fault?.service).toBe('notifier');
  });

  it('unexpected-path beats slow', () => {
    const result = classifyRun({ calls: { recorder: ['storage', 'transcoder'] }, hops: { recorder: { workMs: 260 } } });
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault?.service).toBe('transcoder');
  });

  it('error beats slow', () => {
    const result = classifyRun({ hops: { recorder: { workMs: 260 }, mailbox: { status: 'error', httpStatus: 503 } } });
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('mailbox');
  });

  it('a hop over its budget beats the total budget', () => {
    const result = classifyRun({ hops: { recorder: { workMs: 260 }, notifier: { workMs: 900 } } });
    expect(result.facts.totalMs).toBeGreaterThan(800);
    expect(result.verdict).toBe('slow');
    expect(result.fault?.service).toBe('recorder');
  });
});

describe('classify: invariants over many runs', () => {
  const chain = fc.record({
    silent: fc.subarray([...PATH]),
    failing: fc.subarray([...PATH]),
    lostContext: fc.boolean(),
    slowRecorder: fc.boolean(),
    skewService: fc.constantFrom(...PATH),
    skewMs: fc.integer({ min: -60_000, max: 60_000 }),
    storage: fc.constantFrom('read', 'gap', 'unreadable'),
    triggerDelivered: fc.boolean(),
  });

  it('a fault is named exactly for the fault verdicts, unknown never blames a service, and the same input gives the same verdict', () => {
    fc.assert(
      fc.property(chain, (c) => {
        const options: ChainOptions = {
          silent: c.silent,
          skewMs: { [c.skewService]: c.skewMs },
          hops: {
            ...Object.fromEntries(c.failing.map((s) => [s, { status: 'error' as const, httpStatus: 500 }])),
            ...(c.slowRecorder ? { recorder: { workMs: 260 } } : {}),
            ...(c.lostContext ? { notifier: { lostContext: true } } : {}),
          },
          trigger: c.triggerDelivered ? {} : { ok: false, delivered: false, error: 'ECONNREFUSED' },
        };
        const built = buildRun(options);
        const input = {
          run: built.run,
          trigger: built.trigger,
          hops: c.storage === 'unreadable' ? undefined : c.triggerDelivered ? built.hops : [],
          storageGap: c.storage === 'gap',
        };
        const first = classify(input, AT_DEADLINE_MS);
        const again = classify(input, AT_DEADLINE_MS);
        expect(again).toEqual(first);
        if (isFault(first.verdict)) {
          expect(first.fault?.service).toBeTruthy();
          expect(first.fault?.reason).toBeTruthy();
        } else {
          expect(first.fault).toBeUndefined();
        }
        if (first.verdict === 'unknown') expect(first.facts.note).toBeTruthy();
        if (c.storage === 'unreadable') expect(first.verdict).toBe('unknown');
      }),
      { numRuns: 300 },
    );
  });
});
