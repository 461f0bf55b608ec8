import { describe, expect, it } from 'vitest';
import type { HopRecord } from '@hoptrace/core';
import { classifyJourney, type JourneyClassifyInput } from '../src/classifier/classify-journey';
import { journeyComplete, splitJourneyHops } from '../src/classifier/journey-hops';
import type { JourneyStepPlan, RunRecord, StepOutcome, TriggerOutcome } from '../src/classifier/types';
import { FIRED_AT_MS, OTHER_TRACE_ID, RUN_ID, RUN_TRACE_ID, hopRecord } from './support/hops';

// Journeys (docs/plugins.md, "Journeys"): each step fires under a span of its own in the run's
// trace, so a step's hops descend from the step's span; each step is classified like a run of its
// own, and the journey takes the verdict of its first step that is not ok, naming the step.
//
// The journey here: place an order, pay it, ship it; each step enters at the gateway, which calls
// the step's own service.

const STEP_MS = 2000;
const PLANS: JourneyStepPlan[] = [
  { name: 'place', path: ['gateway', 'orders'], timeoutMs: STEP_MS },
  { name: 'pay', path: ['gateway', 'billing'], timeoutMs: STEP_MS },
  { name: 'ship', path: ['gateway', 'shipping'], timeoutMs: STEP_MS },
];
/** Well after every step's deadline: what is missing by then is missing. */
const LATE_MS = FIRED_AT_MS + PLANS.length * STEP_MS + 1000;

let spanCounter = 0;
/** A fresh span id (16 hex digits) of the Oamserver's or of a caller's exit. */
function spanId(): string {
  spanCounter += 1;
  return (0x5e9a_0000_0000 + spanCounter).toString(16).padStart(16, '0');
}

function journeyRun(plans: JourneyStepPlan[] = PLANS): RunRecord {
  return {
    runId: RUN_ID,
    probe: 'order-journey',
    traceId: RUN_TRACE_ID,
    firedAtMs: FIRED_AT_MS,
    deadlineMs: FIRED_AT_MS + plans.reduce((sum, plan) => sum + plan.timeoutMs, 0),
    path: plans.flatMap((plan) => plan.path),
    steps: plans,
  };
}

function okTrigger(fields: Partial<TriggerOutcome> = {}): TriggerOutcome {
  return { kind: 'http', ok: true, delivered: true, status: 200, expectedStatus: '2xx', durationMs: 12, ...fields };
}

/** A step that ran: its span, when, and what its trigger did. */
function ran(index: number, fields: Partial<StepOutcome> = {}): StepOutcome {
  return { spanId: spanId(), firedAtMs: FIRED_AT_MS + index * 100, trigger: okTrigger(), attempts: 1, ...fields };
}

/**
 * The hops one attempt of a step makes: the entry hop, a child of the attempt's span, calling the
 * second service of the path through an exit (unless `silent`, its hop never came).
 */
function attemptHops(
  attemptSpanId: string,
  firedAtMs: number,
  [entry, next]: string[],
  options: { silent?: boolean; entry?: Partial<HopRecord>; next?: Partial<HopRecord> } = {},
): HopRecord[] {
  const startUs = firedAtMs * 1000 + 400;
  const exit = spanId();
  const entryHop = hopRecord(entry!, {
    parentSpanId: attemptSpanId,
    operation: `POST /${next}`,
    startUs,
    durationUs: 9000,
    exits: [{ spanId: exit, atUs: 2000 }],
    ...options.entry,
  });
  if (options.silent) return [entryHop];
  const nextHop = hopRecord(next!, {
    parentSpanId: exit,
    operation: `POST /${next}`,
    startUs: startUs + 2400,
    durationUs: 5000,
    ...options.next,
  });
  return [entryHop, nextHop];
}

/** The hops of a step that ran, under its span. */
function stepHops(
  index: number,
  outcome: StepOutcome,
  options?: Parameters<typeof attemptHops>[3],
  plans: JourneyStepPlan[] = PLANS,
): HopRecord[] {
  return attemptHops(outcome.spanId!, outcome.firedAtMs!, plans[index]!.path, options);
}

function classifyAt(input: Omit<JourneyClassifyInput, 'run'> & { run?: RunRecord }, nowMs = LATE_MS) {
  return classifyJourney({ run: journeyRun(), ...input }, nowMs);
}

describe('classifyJourney', () => {
  it('three steps whose hops descend from their own step spans: ok, three ok steps, each hop with its step', () => {
    const steps = PLANS.map((_, i) => ran(i));
    const hops = steps.flatMap((outcome, i) => stepHops(i, outcome));
    // Storage gives hops in no particular order: they are told apart by their spans, not their order.
    const result = classifyAt({ steps, hops: [...hops].reverse() });

    expect(result.verdict).toBe('ok');
    expect(result.fault).toBeUndefined();
    expect(result.steps).toEqual(
      PLANS.map((plan, i) => ({
        name: plan.name,
        path: plan.path,
        verdict: 'ok',
        trigger: steps[i]!.trigger,
        attempts: 1,
        firedAtMs: steps[i]!.firedAtMs,
      })),
    );
    expect(result.hops.map((h) => [h.step, h.service])).toEqual([
      ['place', 'gateway'],
      ['place', 'orders'],
      ['pay', 'gateway'],
      ['pay', 'billing'],
      ['ship', 'gateway'],
      ['ship', 'shipping'],
    ]);
    expect(result.hops.some((h) => h.earlierAttempt)).toBe(false);
    expect(result.facts).toMatchObject({
      expectedPath: ['gateway', 'orders', 'gateway', 'billing', 'gateway', 'shipping'],
      hopsSeen: ['gateway', 'orders', 'gateway', 'billing', 'gateway', 'shipping'],
      missingHops: [],
      extraHops: [],
    });
    // The journey's time is the sum of its steps' times (9 ms each: the entry hop's duration).
    expect(result.facts.totalMs).toBeCloseTo(27, 5);
  });

  it('a step with a missing hop: the journey is lost in that step, fault.step set and the reason starting "step <name>: "', () => {
    const steps = PLANS.map((_, i) => ran(i));
    const hops = steps.flatMap((outcome, i) => stepHops(i, outcome, i === 1 ? { silent: true } : {}));
    const result = classifyAt({ steps, hops });

    expect(result.verdict).toBe('lost');
    expect(result.steps!.map((s) => [s.name, s.verdict])).toEqual([
      ['place', 'ok'],
      ['pay', 'lost'],
      ['ship', 'ok'],
    ]);
    const pay = result.steps![1]!;
    expect(pay.fault).toMatchObject({ service: 'billing', step: 'pay' });
    expect(result.fault).toMatchObject({ service: 'billing', step: 'pay' });
    expect(result.fault!.reason).toBe(`step pay: ${pay.fault!.reason}`);
    expect(result.fault!.reason.startsWith('step pay: ')).toBe(true);
    expect(result.fault!.reason).toContain('billing');
    expect(result.facts).toMatchObject({
      missingHops: ['billing'],
      firstMissingHop: 'billing',
      lastHopReached: 'gateway',
    });
  });

  it('the first step that is not ok gives the verdict, even when a later one is worse', () => {
    const steps = PLANS.map((_, i) => ran(i));
    const hops = steps.flatMap((outcome, i) =>
      stepHops(
        i,
        outcome,
        i === 0
          ? { next: { status: 'error', httpStatus: 500, errorType: 'Error', errorMessage: 'out of stock' } }
          : i === 2
            ? { silent: true }
            : {},
      ),
    );
    const result = classifyAt({ steps, hops });
    expect(result.steps!.map((s) => s.verdict)).toEqual(['error', 'ok', 'lost']);
    expect(result.verdict).toBe('error');
    expect(result.fault).toMatchObject({ service: 'orders', step: 'place' });
    expect(result.fault!.reason).toBe('step place: HTTP 500, Error: out of stock');
  });

  it('a skipped step is reported with why, and no verdict; a cleanup step after the failure is judged', () => {
    const plans: JourneyStepPlan[] = [
      ...PLANS,
      { name: 'cancel', path: ['gateway', 'orders'], timeoutMs: STEP_MS, cleanup: true },
    ];
    const place = ran(0);
    const pay = ran(1, {
      trigger: okTrigger({
        ok: false,
        delivered: false,
        status: undefined,
        error: 'POST http://127.0.0.1:7001/pay: ECONNREFUSED',
      }),
    });
    const ship: StepOutcome = { skipped: 'step pay failed before it' };
    const cancel = ran(3);
    const result = classifyJourney(
      {
        run: journeyRun(plans),
        steps: [place, pay, ship, cancel],
        hops: [...stepHops(0, place, {}, plans), ...stepHops(3, cancel, {}, plans)],
      },
      LATE_MS + STEP_MS,
    );

    expect(result.verdict).toBe('trigger-failed');
    expect(result.fault).toEqual({
      service: 'gateway',
      step: 'pay',
      reason: 'step pay: POST http://127.0.0.1:7001/pay: ECONNREFUSED',
    });
    expect(result.steps![2]).toEqual({
      name: 'ship',
      path: ['gateway', 'shipping'],
      skipped: 'step pay failed before it',
    });
    expect(result.steps![2]).not.toHaveProperty('verdict');
    expect(result.steps![3]).toMatchObject({ name: 'cancel', cleanup: true, verdict: 'ok' });
    expect(result.hops.map((h) => [h.step, h.service])).toEqual([
      ['place', 'gateway'],
      ['place', 'orders'],
      ['cancel', 'gateway'],
      ['cancel', 'orders'],
    ]);
  });

  it('a polling step: the hops of earlier attempts are kept with earlierAttempt, and do not make the step wrong', () => {
    const plans: JourneyStepPlan[] = [
      PLANS[0]!,
      { name: 'notified', path: ['gateway', 'notifier'], timeoutMs: STEP_MS },
    ];
    const place = ran(0);
    const earlier = [spanId(), spanId()];
    const notified = ran(1, { attempts: 3, earlierSpanIds: earlier });
    // Until the notification exists, the gateway answers 404 without calling the notifier; the
    // second attempt found the notifier failing. Judged, these would make the step an error or an
    // unexpected path (three gateway hops where the path has one).
    const hops = [
      ...stepHops(0, place, {}, plans),
      ...attemptHops(earlier[0]!, FIRED_AT_MS + 100, ['gateway', 'notifier'], {
        silent: true,
        entry: { httpStatus: 404, exits: [] },
      }),
      ...attemptHops(earlier[1]!, FIRED_AT_MS + 350, ['gateway', 'notifier'], {
        entry: { status: 'error', httpStatus: 502 },
        next: { status: 'error', httpStatus: 503 },
      }),
      ...stepHops(1, notified, {}, plans),
    ];
    const result = classifyJourney({ run: journeyRun(plans), steps: [place, notified], hops }, LATE_MS);

    expect(result.verdict).toBe('ok');
    expect(result.steps![1]).toMatchObject({ name: 'notified', verdict: 'ok', attempts: 3 });
    const notifiedHops = result.hops.filter((h) => h.step === 'notified');
    expect(notifiedHops.filter((h) => !h.earlierAttempt).map((h) => [h.service, h.status])).toEqual([
      ['gateway', 'ok'],
      ['notifier', 'ok'],
    ]);
    expect(
      notifiedHops
        .filter((h) => h.earlierAttempt)
        .map((h) => [h.service, h.httpStatus])
        .sort(),
    ).toEqual([
      ['gateway', 404],
      ['gateway', 502],
      ['notifier', 503],
    ]);
    expect(notifiedHops.filter((h) => h.earlierAttempt).every((h) => h.earlierAttempt === true)).toBe(true);

    const split = splitJourneyHops(hops, plans, [place, notified]);
    expect(split[1]!.judged).toHaveLength(2);
    expect(split[1]!.earlier).toHaveLength(3);
    expect(split[0]!.earlier).toEqual([]);
  });

  it('a hop whose context broke goes to the first step whose path names its service: context-broken in that step', () => {
    const steps = PLANS.map((_, i) => ran(i));
    // The gateway called billing, but billing's hop came under a trace of its own.
    const broken = { traceId: OTHER_TRACE_ID, originTraceId: RUN_TRACE_ID, parentSpanId: undefined };
    const hops = steps.flatMap((outcome, i) => stepHops(i, outcome, i === 1 ? { next: broken } : {}));
    const result = classifyAt({ steps, hops });

    expect(result.verdict).toBe('context-broken');
    expect(result.steps!.map((s) => s.verdict)).toEqual(['ok', 'context-broken', 'ok']);
    expect(result.fault).toMatchObject({ service: 'billing', step: 'pay' });
    expect(result.fault!.reason).toMatch(/^step pay: billing handled the run under trace a3ce929d/);
    const billing = result.hops.find((h) => h.service === 'billing')!;
    expect(billing).toMatchObject({ step: 'pay', onTrace: false, traceId: OTHER_TRACE_ID });
  });

  it('a broken hop of a service several steps name goes to the first of them that has no hop of it yet', () => {
    const steps = PLANS.map((_, i) => ran(i));
    // The ship step's gateway hop lost the context (and its call to shipping followed it there).
    const hops = steps.flatMap((outcome, i) =>
      stepHops(
        i,
        outcome,
        i === 2
          ? {
              entry: { traceId: OTHER_TRACE_ID, originTraceId: RUN_TRACE_ID, parentSpanId: undefined },
              next: { traceId: OTHER_TRACE_ID, originTraceId: RUN_TRACE_ID },
            }
          : {},
      ),
    );
    const split = splitJourneyHops(hops, PLANS, steps);
    expect(
      split.map((step) => step.judged.map((h) => `${h.service}${h.traceId === OTHER_TRACE_ID ? ' (broken)' : ''}`)),
    ).toEqual([
      ['gateway', 'orders'],
      ['gateway', 'billing'],
      ['gateway (broken)', 'shipping (broken)'],
    ]);
    const result = classifyAt({ steps, hops });
    expect(result.verdict).toBe('context-broken');
    expect(result.fault).toMatchObject({ service: 'gateway', step: 'ship' });
  });

  it('a broken hop is never given to a step that did not run (it cannot come from there)', () => {
    const place = ran(0, {
      trigger: okTrigger({
        ok: false,
        status: 500,
        error: 'expected 2xx, got 500 from POST http://127.0.0.1:7001/orders',
      }),
    });
    const steps: StepOutcome[] = [
      place,
      { skipped: 'step place failed before it' },
      { skipped: 'step place failed before it' },
    ];
    // While placing the order, orders called billing (not on the place step's path) and the
    // context broke on the way: only the place step ran, so the hop is the place step's.
    const hops = stepHops(0, place, {});
    const orders = hops[1]!;
    const exit = spanId();
    orders.exits = [{ spanId: exit, atUs: 1000 }];
    hops.push(
      hopRecord('billing', {
        traceId: OTHER_TRACE_ID,
        originTraceId: RUN_TRACE_ID,
        startUs: orders.startUs + 1500,
        durationUs: 1000,
      }),
    );
    const split = splitJourneyHops(hops, PLANS, steps);
    expect(split.map((step) => step.judged.map((h) => h.service))).toEqual([['gateway', 'orders', 'billing'], [], []]);
    const result = classifyAt({ steps, hops });
    expect(result.hops.find((h) => h.service === 'billing')?.step).toBe('place');
    expect(result.verdict).toBe('context-broken');
    expect(result.fault).toMatchObject({ service: 'billing', step: 'place' });
  });

  it('storage unreadable (no hops): unknown, every step unknown', () => {
    const steps = PLANS.map((_, i) => ran(i));
    const result = classifyAt({ steps, hops: undefined });
    expect(result.verdict).toBe('unknown');
    expect(result.fault).toBeUndefined();
    expect(result.facts.note).toBe('the hop records could not be read from storage');
    expect(result.steps).toEqual(PLANS.map((plan) => ({ name: plan.name, path: plan.path, verdict: 'unknown' })));
    expect(result.hops).toEqual([]);
  });

  it('a step the Oamserver never recorded (it stopped during the journey) is unknown, saying so', () => {
    const steps = [ran(0), ran(1), undefined];
    const hops = steps.flatMap((outcome, i) => (outcome ? stepHops(i, outcome) : []));
    const result = classifyAt({ steps, hops });
    expect(result.steps!.map((s) => s.verdict)).toEqual(['ok', 'ok', 'unknown']);
    expect(result.verdict).toBe('unknown');
    expect(result.facts.note).toBe('the Oamserver stopped before it recorded what the trigger did');
  });
});

describe('journeyComplete', () => {
  it('is complete when every step is recorded and each step that ran has a hop from each service of its path', () => {
    const steps = PLANS.map((_, i) => ran(i));
    const hops = steps.flatMap((outcome, i) => stepHops(i, outcome));
    expect(journeyComplete(hops, PLANS, steps)).toBe(true);
    // A hop of the right service but of another step does not complete a step.
    const withoutShipping = hops.filter((h) => h.service !== 'shipping');
    expect(journeyComplete(withoutShipping, PLANS, steps)).toBe(false);
  });

  it('a step not recorded yet keeps the journey incomplete; a skipped step needs no hops', () => {
    const steps = PLANS.map((_, i) => ran(i));
    const hops = steps.flatMap((outcome, i) => stepHops(i, outcome));
    expect(journeyComplete(hops, PLANS, [steps[0], steps[1], undefined])).toBe(false);
    const skipped: StepOutcome = { skipped: 'step pay failed before it' };
    const twoSteps = hops.filter((h) => !['shipping'].includes(h.service) && h.parentSpanId !== steps[2]!.spanId);
    expect(journeyComplete(twoSteps, PLANS, [steps[0], steps[1], skipped])).toBe(true);
  });
});
