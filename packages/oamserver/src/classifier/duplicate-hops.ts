import type { HopRecord } from '@hoptrace/core';
import { childrenOf, linkHops } from './order-hops';

/**
 * The hops that answered a call another hop of the same service had already answered, with every
 * hop they caused in turn: a replayed probe token (someone re-sent the run's `traceparent` and
 * `baggage` to a service, during the run or after it) or a message delivered twice.
 *
 * Sibling hops of one call share the trace, the parent span and the service. A replay re-sends
 * the very headers of the original, so nothing in the record tells the two apart but time: the
 * original was sent first, so of the siblings the one that started first (on the service's own
 * clock) is judged, and the others, with their descendants, are flagged and left out of the
 * verdict. Equal starts fall back to the span id, so the choice does not depend on read order.
 */
export function duplicateHops(hops: readonly HopRecord[]): Set<HopRecord> {
  const siblings = new Map<string, HopRecord[]>();
  for (const hop of hops) {
    if (hop.parentSpanId === undefined) continue;
    const key = `${hop.traceId}|${hop.parentSpanId}|${hop.service}`;
    siblings.set(key, [...(siblings.get(key) ?? []), hop]);
  }
  const duplicates = new Set<HopRecord>();
  for (const group of siblings.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => a.startUs - b.startUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
    for (const hop of group.slice(1)) duplicates.add(hop);
  }
  if (duplicates.size === 0) return duplicates;
  const children = childrenOf(linkHops(hops));
  const pending = [...duplicates];
  for (let hop = pending.pop(); hop; hop = pending.pop()) {
    for (const child of children.get(hop) ?? []) {
      if (duplicates.has(child.hop)) continue;
      duplicates.add(child.hop);
      pending.push(child.hop);
    }
  }
  return duplicates;
}
