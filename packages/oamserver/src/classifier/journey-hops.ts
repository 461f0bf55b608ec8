import type { HopRecord } from '@hoptrace/core';
import { hasEveryRequiredHop } from './expected-path';
import { linkHops } from './order-hops';
import type { JourneyStepPlan, RunRecord, StepOutcome } from './types';

/** A journey's hops, step by step: those judged (the step's last attempt) and those of earlier attempts. */
export interface StepHops {
  judged: HopRecord[];
  earlier: HopRecord[];
}

/**
 * Splits a journey's hops by step. Every step fires under a span of its own, so a hop belongs to
 * the step whose span its chain of callers starts from. A hop whose chain leads to no step's
 * span (its context broke on the way, or a link is missing) goes to the first step whose path
 * names its service and that has no hop of that service yet, else to the last step that fired.
 */
export function splitJourneyHops(
  hops: readonly HopRecord[],
  plans: readonly JourneyStepPlan[],
  outcomes: readonly (StepOutcome | undefined)[],
): StepHops[] {
  const split: StepHops[] = plans.map(() => ({ judged: [], earlier: [] }));
  const stepOfSpan = new Map<string, { index: number; earlier: boolean }>();
  outcomes.forEach((outcome, index) => {
    if (outcome?.spanId) stepOfSpan.set(outcome.spanId, { index, earlier: false });
    for (const spanId of outcome?.earlierSpanIds ?? []) stepOfSpan.set(spanId, { index, earlier: true });
  });
  const parentOf = new Map(linkHops(hops).map((link) => [link.hop, link.parent]));
  const rootOf = (hop: HopRecord): HopRecord => {
    let at = hop;
    for (let depth = 0; depth < hops.length; depth++) {
      const parent = parentOf.get(at);
      if (!parent) break;
      at = parent;
    }
    return at;
  };
  const unplaced: HopRecord[] = [];
  for (const hop of hops) {
    const root = rootOf(hop);
    const step = root.parentSpanId !== undefined ? stepOfSpan.get(root.parentSpanId) : undefined;
    if (!step) unplaced.push(hop);
    else (step.earlier ? split[step.index]!.earlier : split[step.index]!.judged).push(hop);
  }
  const lastFired = outcomes.reduce((last, outcome, index) => (outcome?.spanId ? index : last), 0);
  for (const hop of unplaced) {
    const index = plans.findIndex(
      (plan, i) =>
        outcomes[i]?.spanId !== undefined &&
        plan.path.includes(hop.service) &&
        !split[i]!.judged.some((h) => h.service === hop.service),
    );
    split[index >= 0 ? index : lastFired]!.judged.push(hop);
  }
  return split;
}

/** Every step of the journey is recorded and every step that ran has a hop from each service of its path. */
export function journeyComplete(
  hops: readonly HopRecord[],
  plans: readonly JourneyStepPlan[],
  outcomes: readonly (StepOutcome | undefined)[],
): boolean {
  if (plans.some((_, index) => outcomes[index] === undefined)) return false;
  const split = splitJourneyHops(hops, plans, outcomes);
  return plans.every(
    (plan, index) =>
      outcomes[index]!.skipped !== undefined ||
      hasEveryRequiredHop(
        plan.pathSteps ?? plan.path,
        split[index]!.judged.map((hop) => hop.service),
      ),
  );
}

/**
 * When a journey is due: once every step is recorded, when the last step that ran has had its
 * timeout (skipped steps wait for nothing); before that, the run's deadline (the worst case).
 */
export function journeyDueMs(run: RunRecord, outcomes: readonly (StepOutcome | undefined)[]): number {
  const plans = run.steps ?? [];
  if (plans.some((_, index) => outcomes[index] === undefined)) return run.deadlineMs;
  const due = plans.map((plan, index) => {
    const outcome = outcomes[index]!;
    return outcome.skipped !== undefined || outcome.firedAtMs === undefined ? 0 : outcome.firedAtMs + plan.timeoutMs;
  });
  return Math.min(run.deadlineMs, Math.max(run.firedAtMs, ...due));
}
