import type { HopRecord } from '@hoptrace/core';
import { formatDuration } from '../config/duration';
import { toHopView } from './hop-view';
import { DEFAULT_BASELINE_RULE } from './baseline-rule';
import {
  callerThatStopped,
  describeUnreached,
  firstOutOfOrder,
  heaviestHop,
  hopLimit,
  slowHop,
  unreachedCall,
} from './locate';
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

/**
 * Classifies one run: compares what its hops show with the probe's expected path and budgets.
 * Pure: the same input gives the same verdict. Checks, most telling first:
 * unknown (storage unreadable, or a gap explains missing hops) > trigger-failed > context-broken
 * > error > lost > unexpected-path > slow > ok. Clocks of different hosts are never compared.
 */
export function classify(input: ClassifyInput, observedWindowMs: number): Classification {
  const { run } = input;
  const path = run.path;
  const facts: VerdictFacts = {
    expectedPath: [...path],
    hopsSeen: [],
    missingHops: [],
    extraHops: [],
    deadlineMs: run.deadlineMs,
    clockSkew: [],
  };
  if (input.hops === undefined) {
    return {
      verdict: 'unknown',
      facts: { ...facts, missingHops: [...path], note: 'the hop records could not be read from storage' },
      hops: [],
    };
  }

  const ordered = orderHops(input.hops);
  const hops = ordered.map((h) => toHopView(h, run));
  const seen = new Set(ordered.map((h) => h.service));
  const onTrace = ordered.filter((h) => h.traceId === run.traceId);
  const offTrace = ordered.filter((h) => h.traceId !== run.traceId);
  facts.hopsSeen = ordered.map((h) => h.service);
  facts.missingHops = path.filter((s) => !seen.has(s));
  facts.extraHops = [...new Set(ordered.filter((h) => !path.includes(h.service)).map((h) => h.service))];
  facts.firstMissingHop = facts.missingHops[0];
  const reachedIndex = path.reduce((last, service, i) => (seen.has(service) ? i : last), -1);
  const firstMissingIndex = facts.firstMissingHop === undefined ? -1 : path.indexOf(facts.firstMissingHop);
  const lastBeforeGap =
    firstMissingIndex > 0 ? path[firstMissingIndex - 1] : firstMissingIndex < 0 ? path[reachedIndex] : undefined;
  if (lastBeforeGap !== undefined) facts.lastHopReached = lastBeforeGap;

  const timing = analyzeTiming(onTrace, {
    firedAtMs: run.firedAtMs,
    triggerDurationMs: input.trigger?.kind === 'http' ? input.trigger.durationMs : undefined,
    observedWindowMs,
    skewThresholdMs: input.skewThresholdMs ?? DEFAULT_SKEW_THRESHOLD_MS,
  });
  facts.clockSkew = timing.clockSkew;
  // What the waterfall draws: where each hop started, and the learned limit of hops without a budget.
  const limitOf = hopLimit(run.budget?.hopsMs ?? {}, input);
  const links = linkHops(ordered);
  ordered.forEach((record, i) => {
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
      service: path[0]!,
      reason: input.trigger.error ?? 'the trigger was not delivered',
    });
  }
  if (ordered.length === 0 && input.triggerUnrecorded && !input.trigger) {
    facts.note = 'the Oamserver stopped before it recorded what the trigger did';
    return verdict('unknown');
  }

  // The run id reached a hop under another trace: context was lost on the way.
  const broken = offTrace.sort((a, b) => path.indexOf(a.service) - path.indexOf(b.service))[0];
  if (broken) {
    const before = path[path.indexOf(broken.service) - 1];
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
  const origin = failing.sort((a, b) => path.indexOf(b.service) - path.indexOf(a.service))[0];
  const reached = reachedSpanIds(onTrace);
  const expectedCaller = firstMissingIndex > 0 ? path[firstMissingIndex - 1] : undefined;
  const unreached = unreachedCall(onTrace, reached, facts.firstMissingHop, expectedCaller, input.peers);
  if (origin && !(unreached && unreached.caller === origin && path.indexOf(origin.service) < firstMissingIndex)) {
    return verdict('error', faultAt(origin, describeError(origin)));
  }
  // An unexpected answer to the trigger is the entry service's fault, unless where the run
  // stopped explains it: a call that went unanswered, or a run that got past the entry and then
  // stopped (the odd answer is only a symptom; the checks below say more).
  const pastEntry = onTrace.some((h) => h.service !== path[0]);
  const explainedByStop = facts.firstMissingHop !== undefined && (unreached !== undefined || pastEntry);
  if (input.trigger?.delivered && !input.trigger.ok && ordered.length > 0 && !explainedByStop) {
    const entry = onTrace.find((h) => h.service === path[0]) ?? onTrace[0]!;
    return verdict('error', faultAt(entry, input.trigger.error ?? 'unexpected answer to the trigger'));
  }

  if (facts.firstMissingHop !== undefined) {
    if (input.storageGap) {
      facts.note = `storage was unavailable during the run, so the missing hops (${facts.missingHops.join(', ')}) may be hoptrace's own gap`;
      return verdict('unknown');
    }
    const laterSeen = path.slice(firstMissingIndex + 1).some((s) => seen.has(s));
    if (laterSeen) {
      return verdict('unexpected-path', {
        service: facts.firstMissingHop,
        reason: `${facts.firstMissingHop} did not report, but later services did (skipped, or not instrumented)`,
      });
    }
    const lastHop = lastBeforeGap ? [...onTrace].reverse().find((h) => h.service === lastBeforeGap) : undefined;
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

  const extra = ordered.find((h) => !path.includes(h.service));
  if (extra) {
    return verdict(
      'unexpected-path',
      faultAt(extra, `${extra.service} is not in the expected path ${path.join(' → ')}`),
    );
  }
  const outOfOrder = firstOutOfOrder(
    onTrace.map((h) => h.service),
    path,
  );
  if (outOfOrder) {
    const hop = onTrace.find((h) => h.service === outOfOrder)!;
    return verdict(
      'unexpected-path',
      faultAt(hop, `${outOfOrder} came out of order: seen ${facts.hopsSeen.join(' → ')}`),
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
      service: heaviest?.service ?? path[0]!,
      instance: heaviest?.instance,
      reason:
        `the run took ${formatDuration(timing.totalMs)}, budget ${formatDuration(run.budget.totalMs)}` +
        (heaviest ? `; most time in ${heaviest.service}` : ''),
    });
  }
  return verdict('ok');
}
