import type { HopRecord } from '@hoptrace/core';
import { DEFAULT_BASELINE_RULE, baselineThresholdMs } from './baseline-rule';
import { linkHops } from './order-hops';
import type { ClassifyInput } from './types';

// Where in a run a fault is: the helpers classify() uses to name the hop, service and instance.

export interface HopLimit {
  ms: number;
  fromBaseline: boolean;
  baselineP90Ms?: number;
}

/** A hop's limit: its budget when one is set, else its learned baseline (see baseline-rule.ts). */
export function hopLimit(
  budgets: Record<string, number>,
  input: ClassifyInput,
): (hop: HopRecord) => HopLimit | undefined {
  const rule = input.baselineRule ?? DEFAULT_BASELINE_RULE;
  return (hop) => {
    const budget = budgets[hop.service];
    if (budget !== undefined) return { ms: budget, fromBaseline: false };
    const baseline = input.baseline?.(hop.service, hop.instance);
    const threshold = baselineThresholdMs(baseline, rule);
    return threshold === undefined ? undefined : { ms: threshold, fromBaseline: true, baselineP90Ms: baseline!.p90Ms };
  };
}

/**
 * The hop most over its limit (by ratio), if any is over. A caller's duration includes its
 * synchronous callees': when a callee is over its own limit too, the callee is where the time
 * went, so callers of a slow hop are passed over.
 */
export function slowHop(
  hops: readonly HopRecord[],
  limitOf: (hop: HopRecord) => HopLimit | undefined,
): { hop: HopRecord; limit: HopLimit } | undefined {
  const over = new Map<HopRecord, { limit: HopLimit; ratio: number }>();
  for (const hop of hops) {
    const limit = limitOf(hop);
    if (!limit) continue;
    const ratio = hop.durationUs / 1000 / limit.ms;
    if (ratio > 1) over.set(hop, { limit, ratio });
  }
  if (over.size === 0) return undefined;
  const parentOf = new Map(linkHops(hops).map((l) => [l.hop, l.hop.kind === 'server' ? l.parent : undefined]));
  for (const hop of over.keys()) {
    for (let p = parentOf.get(hop); p; p = parentOf.get(p)) over.delete(p);
  }
  const [hop, worst] = [...over.entries()].sort((a, b) => b[1].ratio - a[1].ratio)[0]!;
  return { hop, limit: worst.limit };
}

/**
 * The hop of the service that usually calls `missing`, when it made no call that went
 * unanswered (every exit of it led to a hop): it never tried to pass the run on.
 */
export function callerThatStopped(
  hops: readonly HopRecord[],
  reached: ReadonlySet<string | undefined>,
  missing: string,
  callerOf: ClassifyInput['callerOf'],
): HopRecord | undefined {
  const callerService = callerOf?.(missing);
  const caller = callerService ? hops.find((h) => h.service === callerService) : undefined;
  if (!caller) return undefined;
  return (caller.exits ?? []).every((exit) => reached.has(exit.spanId)) ? caller : undefined;
}

/** A call a hop made that reached no hop, toward the first missing service when the address says so. */
export interface UnreachedCall {
  caller: HopRecord;
  peer: string;
  /** Who answered at that address before (the peer directory), when known. */
  target?: { service: string; instance: string | undefined };
  /** The error code when the call reached no process at all (refused, reset, no such host). */
  failure?: string;
}

/**
 * The outgoing call (an exit with an address) that left no hop behind and was meant for the first
 * missing service:
 * - a call to an address where that service answered before (the peer directory): the instance
 *   that answered there is the one that did not this time;
 * - with no history, a call that reached no process at all (refused, reset before an answer, no
 *   such host, connect timeout) to an address not known as another service's, made by the service
 *   the path puts right before the missing one, or to a host named after the missing service
 *   (`notifier`, `notifier.voicemail.svc.cluster.local`): nothing listened where the run had to
 *   go next. A refused call of another service (a third party down) blames nobody downstream.
 */
export function unreachedCall(
  hops: readonly HopRecord[],
  reached: ReadonlySet<string | undefined>,
  firstMissing: string | undefined,
  expectedCaller: string | undefined,
  peers: ClassifyInput['peers'],
): UnreachedCall | undefined {
  if (firstMissing === undefined) return undefined;
  let refused: UnreachedCall | undefined;
  for (const hop of hops) {
    for (const exit of hop.exits ?? []) {
      if (!exit.peer || reached.has(exit.spanId)) continue;
      const target = peers?.(exit.peer);
      const failure = exit.unreached ? { failure: exit.unreached } : {};
      // Only an address seen answering as that service counts: a call elsewhere (a database,
      // a third party) proves nothing about the missing hop.
      if (target?.service === firstMissing) return { caller: hop, peer: exit.peer, target, ...failure };
      const meantForMissing = hop.service === expectedCaller || hostNames(exit.peer, firstMissing);
      if (!refused && !target && exit.unreached && meantForMissing) {
        refused = { caller: hop, peer: exit.peer, failure: exit.unreached };
      }
    }
  }
  return refused;
}

/** Whether the host of `peer` (`host:port`) is named after `service`: `service` or `service.<domain>`. */
function hostNames(peer: string, service: string): boolean {
  const host = (
    peer.lastIndexOf(':') > 0 && !peer.endsWith(']') ? peer.slice(0, peer.lastIndexOf(':')) : peer
  ).toLowerCase();
  const name = service.toLowerCase();
  return host === name || host.startsWith(`${name}.`);
}

/** Words for the error code of a call that reached no process. */
export function describeUnreached(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return 'connection closed before an answer';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'no such host';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out';
    default:
      return 'host unreachable';
  }
}

/** The hop with the most time of its own (its duration minus the synchronous hops it called). */
export function heaviestHop(hops: readonly HopRecord[]): HopRecord | undefined {
  const own = new Map(hops.map((h) => [h, h.durationUs]));
  for (const { hop, parent } of linkHops(hops)) {
    if (parent && hop.kind === 'server') own.set(parent, (own.get(parent) ?? 0) - hop.durationUs);
  }
  return [...own.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
