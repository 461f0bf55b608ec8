import type { HopRecord } from '@hoptrace/core';
import { formatDuration } from '../config/duration';
import { duplicateHops } from './duplicate-hops';
import { toHopView } from './hop-view';
import { DEFAULT_BASELINE_RULE } from './baseline-rule';
import { formatPath, isStructured, matchPath, pathSlots, slotBefore, type PathStep } from './expected-path';
import { callerThatStopped, describeUnreached, heaviestHop, hopLimit, slowHop, unreachedCall } from './locate';
import { linkHops, orderHops, reachedSpanIds } from './order-hops';
import { analyzeTiming } from './timing';
import type { Classification, ClassifyInput, Fault, Verdict, VerdictFacts } from './types';

/** Skew above this is flagged on the run, unless the input says otherwise. */
export const DEFAULT_SKEW_THRESHOLD_MS = 1000;

function describeError(hop: HopRecord): string {
  const parts = [hop.errorType, hop.errorMessage].filter(Boolean).join(': ');
  const status = hop.httpStatus !== undefined ? `HTTP ${hop.httpStatus}` : undefined;
  return [status, parts].filter(Boolean).join(', ') || 'the hop reported an error';
}

function faultAt(hop: HopRecord, reason: string): Fault {
  return { service: hop.service, instance: hop.instance, reason };
}

function times(n: number): string {
  return `${n} time${n === 1 ? '' : 's'}`;
}

/**
 * Classifies one run: compares what its hops show with the probe's expected path and budgets.
 * Pure: the same input gives the same verdict. Checks, most telling first:
 * unknown (storage unreadable, or a gap explains missing hops) > trigger-failed > context-broken
 * > error > lost > unexpected-path > slow > ok. Clocks of different hosts are never compared.
 * Hops are matched to the path's slots by matchPath (expected-path.ts): a service may be expected
 * more than once, be optional, or be in a group that comes in any order.
 */
export function classify(input: ClassifyInput, observedWindowMs: number): Classification {
  const { run } = input;
  const path = run.path;
  const steps: readonly PathStep[] = run.pathSteps ?? path;
  const slots = pathSlots(steps);
  const facts: VerdictFacts = {
    expectedPath: [...path],
    ...(run.pathSteps && isStructured(run.pathSteps) ? { expectedPathText: formatPath(run.pathSteps) } : {}),
    hopsSeen: [],
    missingHops: [],
    extraHops: [],
    deadlineMs: run.deadlineMs,
    clockSkew: [],
  };
  if (input.hops === undefined) {
    const required = slots.filter((slot) => !slot.optional).map((slot) => slot.service);
    return {
      verdict: 'unknown',
      facts: { ...facts, missingHops: required, note: 'the hop records could not be read from storage' },
      hops: [],
    };
  }

  // Every hop is shown; a duplicate (a replayed token, a message delivered twice: duplicate-hops.ts)
  // is flagged and judged no further.
  const all = orderHops(input.hops);
  const duplicates = duplicateHops(all);
  const hops = all.map((h) => ({ ...toHopView(h, run), ...(duplicates.has(h) ? { duplicate: true } : {}) }));
  const ordered = all.filter((h) => !duplicates.has(h));
  if (duplicates.size > 0) facts.duplicateHops = [...new Set([...duplicates].map((h) => h.service))];
  const onTrace = ordered.filter((h) => h.traceId === run.traceId);
  const offTrace = ordered.filter((h) => h.traceId !== run.traceId);
  facts.hopsSeen = ordered.map((h) => h.service);
  const match = matchPath(steps, facts.hopsSeen);
  const position = new Map(ordered.map((h, i) => [h, i]));
  // A hop's place in the path (for "earliest" and "deepest"): the step of the slot it fills, else
  // of the first slot of its service; -1 for a service not in the path.
  const rankOf = (hop: HopRecord): number => {
    const slot = match.slotOfHop[position.get(hop)!];
    return slot !== undefined ? slots[slot]!.rank : (slots.find((s) => s.service === hop.service)?.rank ?? -1);
  };
  const missing = slots.filter((slot, s) => !slot.optional && match.hopOfSlot[s] === undefined);
  facts.missingHops = missing.map((slot) => slot.service);
  facts.extraHops = [...new Set(match.extra.map((i) => ordered[i]!.service))];
  facts.firstMissingHop = facts.missingHops[0];
  const firstMissingRank = missing[0]?.rank ?? -1;
  // The slot the run last passed before the first missing one (or at all, when none is missing).
  const reachedSlot = slotBefore(match, missing[0]?.rank ?? steps.length);
  const lastBeforeGap = reachedSlot === undefined ? undefined : slots[reachedSlot]!.service;
  if (lastBeforeGap !== undefined) facts.lastHopReached = lastBeforeGap;
  // Where the run enters: the first step with a required service (and any optional ones before it).
  const entryRank = slots.find((slot) => !slot.optional)?.rank ?? 0;
  const entryServices = new Set(slots.filter((slot) => slot.rank <= entryRank).map((slot) => slot.service));
  const entryService = slots.find((slot) => !slot.optional)?.service ?? path[0]!;

  const timing = analyzeTiming(onTrace, {
    firedAtMs: run.firedAtMs,
    triggerDurationMs: input.trigger?.kind === 'http' ? input.trigger.durationMs : undefined,
    observedWindowMs,
    skewThresholdMs: input.skewThresholdMs ?? DEFAULT_SKEW_THRESHOLD_MS,
  });
  facts.clockSkew = timing.clockSkew;
  // What the waterfall draws: where each hop started, and the learned limit of hops without a budget.
  const limitOf = hopLimit(run.budget?.hopsMs ?? {}, input);
  const links = linkHops(all);
  all.forEach((record, i) => {
    const caller = links[i]!.parent;
    if (caller) hops[i]!.callerSpanId = caller.spanId;
    const offsetMs = timing.offsetsMs.get(record);
    if (offsetMs !== undefined) hops[i]!.offsetMs = offsetMs;
    const limit = record.traceId === run.traceId ? limitOf(record) : undefined;
    if (limit?.fromBaseline) hops[i]!.slowAboveMs = limit.ms;
  });
  if (timing.totalMs !== undefined) facts.totalMs = timing.totalMs;
  if (run.budget?.totalMs !== undefined) facts.totalBudgetMs = run.budget.totalMs;

  const verdict = (v: Verdict, fault?: Fault): Classification => ({ verdict: v, fault, facts, hops });

  // The trigger never got through, and nothing moved.
  if (ordered.length === 0 && input.trigger && !input.trigger.delivered) {
    return verdict('trigger-failed', {
      service: entryService,
      reason: input.trigger.error ?? 'the trigger was not delivered',
    });
  }
  if (ordered.length === 0 && input.triggerUnrecorded && !input.trigger) {
    facts.note = 'the Oamserver stopped before it recorded what the trigger did';
    return verdict('unknown');
  }

  // The run id reached a hop under another trace: context was lost on the way.
  const broken = offTrace.sort((a, b) => rankOf(a) - rankOf(b))[0];
  if (broken) {
    const beforeSlot = rankOf(broken) > 0 ? slotBefore(match, rankOf(broken)) : undefined;
    const before = beforeSlot === undefined ? undefined : slots[beforeSlot]!.service;
    return verdict(
      'context-broken',
      faultAt(
        broken,
        `${broken.service} handled the run under trace ${broken.traceId}, not the run's trace ${run.traceId}` +
          (before ? ` (the trace context was lost between ${before} and ${broken.service})` : ''),
      ),
    );
  }

  // The deepest hop that failed is where the error started; callers only pass it on. But when
  // it failed because a call of its own reached no hop (the next service was down), the fault
  // is at the service it could not reach.
  const failing = onTrace.filter((h) => h.status === 'error');
  const origin = failing.sort((a, b) => rankOf(b) - rankOf(a))[0];
  const reached = reachedSpanIds(onTrace);
  const expectedCaller = facts.firstMissingHop !== undefined ? lastBeforeGap : undefined;
  const unreached = unreachedCall(onTrace, reached, facts.firstMissingHop, expectedCaller, input.peers);
  if (origin && !(unreached && unreached.caller === origin && rankOf(origin) < firstMissingRank)) {
    return verdict('error', faultAt(origin, describeError(origin)));
  }
  // An unexpected answer to the trigger is the entry service's fault, unless where the run
  // stopped explains it: a call that went unanswered, or a run that got past the entry and then
  // stopped (the odd answer is only a symptom; the checks below say more).
  const pastEntry = onTrace.some((h) => !entryServices.has(h.service));
  const explainedByStop = facts.firstMissingHop !== undefined && (unreached !== undefined || pastEntry);
  if (input.trigger?.delivered && !input.trigger.ok && ordered.length > 0 && !explainedByStop) {
    const entry = onTrace.find((h) => entryServices.has(h.service)) ?? onTrace[0]!;
    return verdict('error', faultAt(entry, input.trigger.error ?? 'unexpected answer to the trigger'));
  }

  if (facts.firstMissingHop !== undefined) {
    if (input.storageGap) {
      facts.note = `storage was unavailable during the run, so the missing hops (${facts.missingHops.join(', ')}) may be hoptrace's own gap`;
      return verdict('unknown');
    }
    // A group sibling of the missing service is the same step, not a later one.
    const laterSeen = slots.some((slot, s) => slot.rank > firstMissingRank && match.hopOfSlot[s] !== undefined);
    if (laterSeen) {
      return verdict('unexpected-path', {
        service: facts.firstMissingHop,
        reason: `${facts.firstMissingHop} did not report, but later services did (skipped, or not instrumented)`,
      });
    }
    const lastHopAt = reachedSlot === undefined ? undefined : match.hopOfSlot[reachedSlot];
    const lastHop = lastHopAt === undefined ? undefined : ordered[lastHopAt];
    if (unreached) {
      const target = unreached.target?.instance ? `${unreached.target.instance} (${unreached.peer})` : unreached.peer;
      return verdict('lost', {
        service: facts.firstMissingHop,
        ...(unreached.target?.instance ? { instance: unreached.target.instance } : {}),
        reason:
          `${unreached.caller.service} (${unreached.caller.instance}) called ${facts.firstMissingHop} at ${target}, ` +
          (unreached.failure
            ? `and nothing answered there (${describeUnreached(unreached.failure)}, ${unreached.failure})`
            : `but no hop came back` +
              (unreached.caller.status === 'error'
                ? ` (${unreached.caller.service} answered ${describeError(unreached.caller)})`
                : '')),
      });
    }
    // The service that usually calls the missing one handled the run but called nothing that
    // went unanswered: the run stopped there (it answered without passing the run on).
    const silentCaller = callerThatStopped(onTrace, reached, facts.firstMissingHop, input.callerOf);
    if (silentCaller) {
      return verdict(
        'lost',
        faultAt(
          silentCaller,
          `${silentCaller.service} (${silentCaller.instance}) handled the run but never called ${facts.firstMissingHop}, ` +
            `as it does in other runs`,
        ),
      );
    }
    return verdict('lost', {
      service: facts.firstMissingHop,
      reason: lastBeforeGap
        ? `no hop from ${facts.firstMissingHop} within ${formatDuration(run.deadlineMs - run.firedAtMs)}; the run last reached ${lastBeforeGap}${lastHop ? ` (${lastHop.instance})` : ''}`
        : `no hop at all within ${formatDuration(run.deadlineMs - run.firedAtMs)}; the run never reached ${facts.firstMissingHop}`,
    });
  }

  // A hop no slot took: a service not in the path, or one more time than the path has it.
  const extra = match.extra[0] === undefined ? undefined : ordered[match.extra[0]]!;
  if (extra) {
    const expected = slots.filter((slot) => slot.service === extra.service);
    if (expected.length === 0) {
      return verdict(
        'unexpected-path',
        faultAt(extra, `${extra.service} is not in the expected path ${formatPath(steps)}`),
      );
    }
    const came = ordered.filter((h) => h.service === extra.service).length;
    const most = expected.some((slot) => slot.optional) ? `at most ${times(expected.length)}` : times(expected.length);
    return verdict(
      'unexpected-path',
      faultAt(extra, `${extra.service} came ${times(came)}, the path expects it ${most}`),
    );
  }
  // The hops are all in place at last (context-broken returned above: every hop is on the trace).
  if (match.firstOutOfOrder !== undefined) {
    const hop = ordered[match.firstOutOfOrder]!;
    return verdict(
      'unexpected-path',
      faultAt(hop, `${hop.service} came out of order: seen ${facts.hopsSeen.join(' → ')}`),
    );
  }

  const slow = slowHop(onTrace, limitOf);
  if (slow) {
    const limit = slow.limit.fromBaseline
      ? `over ${input.baselineRule?.factor ?? DEFAULT_BASELINE_RULE.factor}× its usual p90 of ${formatDuration(slow.limit.baselineP90Ms!)} (limit ${formatDuration(slow.limit.ms)})`
      : `budget ${formatDuration(slow.limit.ms)}`;
    return verdict(
      'slow',
      faultAt(slow.hop, `${slow.hop.service} took ${formatDuration(slow.hop.durationUs / 1000)}, ${limit}`),
    );
  }
  if (run.budget?.totalMs !== undefined && timing.totalMs !== undefined && timing.totalMs > run.budget.totalMs) {
    const heaviest = heaviestHop(onTrace);
    return verdict('slow', {
      service: heaviest?.service ?? entryService,
      instance: heaviest?.instance,
      reason:
        `the run took ${formatDuration(timing.totalMs)}, budget ${formatDuration(run.budget.totalMs)}` +
        (heaviest ? `; most time in ${heaviest.service}` : ''),
    });
  }
  return verdict('ok');
}
