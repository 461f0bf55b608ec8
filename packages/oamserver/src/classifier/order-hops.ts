import type { HopRecord } from '@hoptrace/core';

/** A hop and the hop that caused it, with when (on the parent's clock) the parent made the call. */
export interface HopLink {
  hop: HopRecord;
  parent?: HopRecord;
  /** Microseconds after the parent hop started that it made the call leading here. */
  exitAtUs?: number;
}

/**
 * Links hops by cause: a hop's parent is the hop whose exits (outgoing calls and messages)
 * include the hop's parent span id, or whose own span is that parent. Clocks are never compared
 * across hosts for this.
 */
export function linkHops(hops: readonly HopRecord[]): HopLink[] {
  const byExit = new Map<string, { hop: HopRecord; atUs: number }>();
  const bySpan = new Map<string, HopRecord>();
  for (const hop of hops) {
    bySpan.set(hop.spanId, hop);
    for (const exit of hop.exits ?? []) byExit.set(exit.spanId, { hop, atUs: exit.atUs });
  }
  return hops.map((hop) => {
    if (hop.parentSpanId === undefined) return { hop };
    const viaExit = byExit.get(hop.parentSpanId);
    if (viaExit && viaExit.hop !== hop) return { hop, parent: viaExit.hop, exitAtUs: viaExit.atUs };
    const direct = bySpan.get(hop.parentSpanId);
    if (direct && direct !== hop) return { hop, parent: direct, exitAtUs: 0 };
    return { hop };
  });
}

/** The links of each hop's callees, by caller. */
export function childrenOf(links: readonly HopLink[]): Map<HopRecord, HopLink[]> {
  const children = new Map<HopRecord, HopLink[]>();
  for (const link of links) {
    if (!link.parent) continue;
    const list = children.get(link.parent) ?? [];
    list.push(link);
    children.set(link.parent, list);
  }
  return children;
}

/** Span ids that some hop has as its parent: exits in this set reached a hop. */
export function reachedSpanIds(hops: readonly HopRecord[]): Set<string | undefined> {
  return new Set(hops.map((h) => h.parentSpanId));
}

/**
 * Orders hops causally: depth first from the hops nothing caused, children in the order their
 * parent called them (on the parent's own clock). Unlinked hops fall back to their start time.
 */
export function orderHops(hops: readonly HopRecord[]): HopRecord[] {
  const links = linkHops(hops);
  const children = childrenOf(links);
  const roots = links.filter((link) => !link.parent);
  const ordered: HopRecord[] = [];
  const seen = new Set<HopRecord>();
  const visit = (link: HopLink): void => {
    if (seen.has(link.hop)) return;
    seen.add(link.hop);
    ordered.push(link.hop);
    const kids = (children.get(link.hop) ?? []).sort(
      (a, b) => (a.exitAtUs ?? 0) - (b.exitAtUs ?? 0) || a.hop.startUs - b.hop.startUs,
    );
    kids.forEach(visit);
  };
  roots.sort((a, b) => a.hop.startUs - b.hop.startUs).forEach(visit);
  // A cycle (which only corrupt data could make) leaves hops unvisited: keep them, by start time.
  for (const link of links) if (!seen.has(link.hop)) visit(link);
  return ordered;
}
