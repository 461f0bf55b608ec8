// RELIABILITY.md §6.3: hosts' clocks disagree. A run must classify the same whatever one host's
// clock says, and the skewed host must be flagged, with roughly the right sign and size.
import { describe, expect, it } from 'vitest';
import { TIMEOUT_MS, classifyRun, type ChainOptions } from './support/hops';

const AT_DEADLINE_MS = TIMEOUT_MS + 250;

interface Scenario {
  name: string;
  options: ChainOptions;
  /** Classified at the deadline (something is missing) rather than soon after the last hop. */
  late?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'ok', options: {} },
  { name: 'slow at a hop', options: { hops: { recorder: { workMs: 260 } } } },
  { name: 'slow in total (a slow consumer)', options: { hops: { notifier: { workMs: 900 } } } },
  {
    name: 'slow in total (a slow synchronous hop)',
    options: { hops: { storage: { workMs: 790 } }, budget: { totalMs: 800 } },
  },
  {
    name: 'error',
    options: {
      hops: { storage: { status: 'error', httpStatus: 500 }, recorder: { status: 'error', httpStatus: 502 } },
    },
  },
  { name: 'lost at the notifier', options: { silent: ['notifier'] }, late: true },
  { name: 'context-broken at the notifier', options: { hops: { notifier: { lostContext: true } } } },
  { name: 'unexpected-path', options: { calls: { recorder: ['storage', 'transcoder'] } } },
];

/** The entry host (compared with the Oamserver's firing time) and the consumer host (after a queue). */
const HOSTS = ['gateway', 'notifier'] as const;
const OFFSETS_MS = [2000, -2000, 30_000, -30_000];

function classifyWith(scenario: Scenario, skewMs?: Record<string, number>) {
  return classifyRun({ ...scenario.options, skewMs }, {}, scenario.late ? AT_DEADLINE_MS : undefined);
}

describe('classify with one host’s clock off', () => {
  for (const scenario of SCENARIOS) {
    describe(`a run that is ${scenario.name}`, () => {
      const base = classifyWith(scenario);

      it('without skew, flags no clock', () => {
        expect(base.facts.clockSkew).toEqual([]);
      });

      for (const host of HOSTS) {
        for (const offsetMs of OFFSETS_MS) {
          // A host that never reported, or reported off the run's trace, has nothing to compare.
          const hop = base.built.hops.find((h) => h.service === host);
          if (!hop || hop.traceId !== base.built.run.traceId) continue;

          it(`${host} ${offsetMs > 0 ? '+' : ''}${offsetMs / 1000}s: same verdict and fault, ${host} flagged`, () => {
            const skewed = classifyWith(scenario, { [host]: offsetMs });
            expect(skewed.verdict).toBe(base.verdict);
            expect(skewed.fault?.service).toBe(base.fault?.service);
            expect(skewed.fault?.instance).toBe(base.fault?.instance);
            // The reason may quote the total, which loses the skewed consumer's queue wait (see below).
            expect(skewed.fault?.reason.replace(/\d+/g, 'N')).toBe(base.fault?.reason.replace(/\d+/g, 'N'));
            // Causal order does not move. (A hop under another trace has no causal link to the run:
            // where it shows is by its own wall clock.)
            const onTrace = (r: typeof base) => r.hops.filter((h) => h.onTrace).map((h) => h.service);
            expect(onTrace(skewed)).toEqual(onTrace(base));

            // Only the skewed host is flagged (the gateway's children are not, though they all
            // look off relative to the gateway's own clock).
            expect(skewed.facts.clockSkew.map((s) => `${s.service}|${s.instance}`)).toEqual([`${host}|${host}-1`]);
            const flagged = skewed.facts.clockSkew[0]!.offsetMs;
            expect(Math.sign(flagged)).toBe(Math.sign(offsetMs));
            if (Math.abs(offsetMs) >= 30_000) expect(Math.abs(flagged - offsetMs)).toBeLessThanOrEqual(3000);
            else expect(Math.abs(flagged)).toBeLessThanOrEqual(Math.abs(offsetMs) + 100);
          });
        }
      }
    });
  }
});

describe('end-to-end time under skew', () => {
  const base = classifyRun();

  it.each(OFFSETS_MS)('does not change when the gateway clock is off by %d ms', (offsetMs) => {
    expect(classifyRun({ skewMs: { gateway: offsetMs } }).facts.totalMs).toBe(base.facts.totalMs);
  });

  it.each(OFFSETS_MS)('does not change when a middle host (recorder) is off by %d ms', (offsetMs) => {
    const skewed = classifyRun({ skewMs: { recorder: offsetMs } });
    expect(skewed.facts.totalMs).toBe(base.facts.totalMs);
    expect(skewed.facts.clockSkew.map((s) => s.service)).toEqual(['recorder']);
  });

  it.each(OFFSETS_MS)(
    'when the notifier is off by %d ms, its queue wait (measured across two clocks) is left out, nothing more',
    (offsetMs) => {
      const skewed = classifyRun({ skewMs: { notifier: offsetMs } });
      const trueQueueWaitMs = 3;
      expect(skewed.facts.totalMs).toBeLessThanOrEqual(base.facts.totalMs!);
      expect(skewed.facts.totalMs).toBeGreaterThanOrEqual(base.facts.totalMs! - trueQueueWaitMs);
    },
  );

  it('a real queue wait (on synchronized clocks) counts, and is not mistaken for skew', () => {
    const waited = classifyRun({ queueWaitMs: 120 });
    expect(waited.facts.clockSkew).toEqual([]);
    expect(waited.facts.totalMs).toBeCloseTo(base.facts.totalMs! + 117, 3);
  });

  it('a sub-threshold disagreement is not flagged', () => {
    expect(classifyRun({ skewMs: { recorder: 400 } }).facts.clockSkew).toEqual([]);
    expect(classifyRun({ skewMs: { recorder: 400 } }, { skewThresholdMs: 100 }).facts.clockSkew).toEqual([
      expect.objectContaining({ service: 'recorder', offsetMs: expect.any(Number) }),
    ]);
  });
});
