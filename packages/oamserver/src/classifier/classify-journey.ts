import { classify } from './classify';
import { toHopView } from './hop-view';
import { splitJourneyHops } from './journey-hops';
import type {
  Classification,
  ClassifyInput,
  ClockSkew,
  HopView,
  JourneyStepPlan,
  RunRecord,
  StepOutcome,
  StepView,
  VerdictFacts,
} from './types';

/** What classifying a journey needs: a run's input, with each step's recorded outcome instead of one trigger. */
export interface JourneyClassifyInput extends Omit<ClassifyInput, 'trigger' | 'triggerUnrecorded'> {
  /** What the runner recorded of each step; undefined for a step not recorded (yet). */
  steps: readonly (StepOutcome | undefined)[];
}

/** A step judged on its own, as a run of its own would be: its path, budgets and deadline. */
function stepRun(run: RunRecord, plan: JourneyStepPlan, outcome: StepOutcome | undefined): RunRecord {
  const firedAtMs = outcome?.firedAtMs ?? run.firedAtMs;
  return {
    runId: run.runId,
    probe: run.probe,
    traceId: run.traceId,
    firedAtMs,
    deadlineMs: firedAtMs + plan.timeoutMs,
    path: plan.path,
    ...(plan.pathSteps ? { pathSteps: plan.pathSteps } : {}),
    ...(plan.budget ? { budget: plan.budget } : {}),
  };
}

/** The journey's facts: every step's, one after the other; what locates the fault comes from the faulty step. */
function journeyFacts(run: RunRecord, steps: readonly { facts?: VerdictFacts }[], faulty?: VerdictFacts): VerdictFacts {
  const all = steps.flatMap((step) => (step.facts ? [step.facts] : []));
  const skews = new Map<string, ClockSkew>();
  for (const skew of all.flatMap((facts) => facts.clockSkew)) skews.set(`${skew.service}\u0000${skew.instance}`, skew);
  const totals = all.map((facts) => facts.totalMs);
  const facts: VerdictFacts = {
    expectedPath: [...run.path],
    hopsSeen: all.flatMap((facts) => facts.hopsSeen),
    missingHops: all.flatMap((facts) => facts.missingHops),
    extraHops: [...new Set(all.flatMap((facts) => facts.extraHops))],
    deadlineMs: run.deadlineMs,
    clockSkew: [...skews.values()],
  };
  const known = totals.filter((t): t is number => t !== undefined);
  if (totals.length > 0 && known.length === totals.length) facts.totalMs = known.reduce((a, b) => a + b, 0);
  if (faulty?.firstMissingHop !== undefined) facts.firstMissingHop = faulty.firstMissingHop;
  if (faulty?.lastHopReached !== undefined) facts.lastHopReached = faulty.lastHopReached;
  if (faulty?.note !== undefined) facts.note = faulty.note;
  return facts;
}

/**
 * Classifies a journey: each step as a run of its own (its hops, path, budgets and trigger),
 * then the journey by its first step (in order) that is not ok: the verdict is that step's, and
 * the fault names the step. Skipped steps (after a failure) are reported, not judged. Every
 * step's hops are kept, earlier attempts of a polling step included. Pure, like classify().
 */
export function classifyJourney(input: JourneyClassifyInput, nowMs: number): Classification {
  const { run } = input;
  const plans = run.steps ?? [];
  if (input.hops === undefined) {
    const unread = classify({ ...input, run }, nowMs - run.firedAtMs);
    return { ...unread, steps: plans.map((plan) => ({ name: plan.name, path: plan.path, verdict: 'unknown' })) };
  }
  const split = splitJourneyHops(input.hops, plans, input.steps);
  const hops: HopView[] = [];
  const judged: (StepView & { facts?: VerdictFacts })[] = plans.map((plan, index) => {
    const outcome = input.steps[index];
    const base: StepView = { name: plan.name, path: [...plan.path], ...(plan.cleanup ? { cleanup: true } : {}) };
    const own = stepRun(run, plan, outcome);
    if (outcome?.skipped !== undefined) {
      hops.push(...split[index]!.judged.map((h) => ({ ...toHopView(h, own), step: plan.name })));
      return { ...base, skipped: outcome.skipped };
    }
    const result = classify(
      {
        ...input,
        run: own,
        hops: split[index]!.judged,
        trigger: outcome?.trigger,
        triggerUnrecorded: !outcome?.trigger,
      },
      nowMs - own.firedAtMs,
    );
    // Offsets are after the step was fired; the journey's waterfall counts from the run's firing.
    const stepOffsetMs = own.firedAtMs - run.firedAtMs;
    hops.push(
      ...result.hops.map((h) => ({
        ...h,
        step: plan.name,
        ...(h.offsetMs !== undefined ? { offsetMs: h.offsetMs + stepOffsetMs } : {}),
      })),
    );
    const earlier = [...split[index]!.earlier].sort((a, b) => a.startUs - b.startUs);
    hops.push(...earlier.map((h) => ({ ...toHopView(h, own), step: plan.name, earlierAttempt: true })));
    if (!outcome) result.facts.note ??= 'the step was not recorded: the Oamserver stopped during the journey';
    return {
      ...base,
      verdict: result.verdict,
      // A step's "run" is the step: say so in the reason people read.
      ...(result.fault
        ? {
            fault: {
              ...result.fault,
              step: plan.name,
              reason: result.fault.reason.replace(/^the run took /, 'the step took '),
            },
          }
        : {}),
      ...(outcome?.trigger ? { trigger: outcome.trigger } : {}),
      ...(outcome?.attempts !== undefined ? { attempts: outcome.attempts } : {}),
      ...(outcome?.firedAtMs !== undefined ? { firedAtMs: outcome.firedAtMs } : {}),
      facts: result.facts,
    };
  });
  const faulty = judged.find((step) => step.verdict !== undefined && step.verdict !== 'ok');
  const steps = judged.map(({ facts: _facts, ...view }) => view);
  const facts = journeyFacts(run, judged, faulty?.facts);
  if (!faulty) return { verdict: 'ok', facts, hops, steps };
  const fault = faulty.fault ? { ...faulty.fault, reason: `step ${faulty.name}: ${faulty.fault.reason}` } : undefined;
  return { verdict: faulty.verdict!, ...(fault ? { fault } : {}), facts, hops, steps };
}
