import type { HopRecord } from '@hoptrace/core';
import { childrenOf, linkHops } from './order-hops';
import type { ClockSkew } from './types';

/** What the Oamserver itself knows about a run's time, on its own clock. */
export interface RunClock {
  /** When the run was fired (Oamserver wall clock, epoch ms). */
  firedAtMs: number;
  /** How long the trigger took to answer (Oamserver monotonic clock), when known. */
  triggerDurationMs?: number;
  /** Time from firing to classification (Oamserver clock): nothing in the run can have taken longer. */
  observedWindowMs: number;
  /** Clock differences above this are flagged. */
  skewThresholdMs: number;
}

/** Timing facts of a run. */
export interface RunTiming {
  /** End-to-end time from monotonic durations and plausible queue waits (never from comparing clocks). */
  totalMs?: number;
  /** Hosts whose clock disagrees with the Oamserver's by more than the threshold. */
  clockSkew: ClockSkew[];
  /** Each hop's estimated true start, in ms after the run was fired (skewed clocks corrected). */
  offsetsMs: Map<HopRecord, number>;
}

/** How far `value` lies outside [low, high] (0 inside). */
function outside(value: number, low: number, high: number): number {
  if (value < low) return value - low;
  if (value > high) return value - high;
  return 0;
}

/**
 * Works out a run's end-to-end time and which hosts' clocks are off, without ever trusting one
 * host's wall clock against another's:
 * - durations come from each host's monotonic clock; a synchronous call is inside its caller's
 *   duration; an asynchronous hop adds its queue wait and its own duration after the call;
 * - each hop's true start is estimated from its caller's (the first hop's from the Oamserver's
 *   firing time) plus when the caller made the call, and no later than the end of the observed
 *   window minus the hop's own duration (it ended before the run was classified); a reported
 *   start outside what is possible is that host's clock offset;
 * - a queue wait is measured across two clocks (Redis's and the consumer's), so a wait that does
 *   not fit in what the Oamserver saw of the run, or from a host found skewed, is not counted.
 */
export function analyzeTiming(hops: readonly HopRecord[], clock: RunClock): RunTiming {
  if (hops.length === 0) return { clockSkew: [], offsetsMs: new Map() };
  const links = linkHops(hops);
  const children = childrenOf(links);
  const skew = new Map<string, ClockSkew>();
  const untrustedWait = new Set<HopRecord>();
  const windowUs = clock.observedWindowMs * 1000;
  const thresholdUs = clock.skewThresholdMs * 1000;

  const flag = (hop: HopRecord, offsetUs: number): void => {
    if (Math.abs(offsetUs) <= thresholdUs) return;
    const key = `${hop.service}|${hop.instance}`;
    if (!skew.has(key))
      skew.set(key, { service: hop.service, instance: hop.instance, offsetMs: Math.round(offsetUs / 1000) });
  };

  // Walk from the first hops down, carrying each hop's estimated true start (Oamserver clock, µs).
  const firedUs = clock.firedAtMs * 1000;
  // A hop ended before the run was classified, so it cannot have started later than this.
  const latestStartUs = (hop: HopRecord): number => firedUs + windowUs - hop.durationUs;
  const visited = new Set<HopRecord>();
  const offsetsMs = new Map<HopRecord, number>();
  const walk = (hop: HopRecord, trueLowUs: number, trueHighUs: number): void => {
    if (visited.has(hop)) return;
    visited.add(hop);
    const highUs = Math.max(trueLowUs, Math.min(trueHighUs, latestStartUs(hop)));
    const offsetUs = outside(hop.startUs, trueLowUs, highUs);
    flag(hop, offsetUs);
    // Where this hop really started, as best we know: its reported start corrected into the window.
    const trueStartUs = hop.startUs - offsetUs;
    offsetsMs.set(hop, Math.max(0, trueStartUs - firedUs) / 1000);
    for (const child of children.get(hop) ?? []) {
      const callUs = trueStartUs + (child.exitAtUs ?? 0);
      if (child.hop.kind === 'consumer') {
        const waitUs = child.hop.queueWaitUs ?? 0;
        if (callUs + waitUs > latestStartUs(child.hop)) untrustedWait.add(child.hop);
        walk(child.hop, callUs, callUs + waitUs);
      } else {
        walk(child.hop, callUs, callUs + hop.durationUs);
      }
    }
  };
  const triggerUs = (clock.triggerDurationMs ?? clock.observedWindowMs) * 1000;
  for (const link of links) if (!link.parent) walk(link.hop, firedUs, firedUs + triggerUs);

  const skewedHosts = new Set(skew.keys());
  const visiting = new Set<HopRecord>();
  const endUs = (hop: HopRecord): number => {
    if (visiting.has(hop)) return hop.durationUs; // only corrupt links can loop
    visiting.add(hop);
    let end = hop.durationUs;
    for (const child of children.get(hop) ?? []) {
      const trusted =
        child.hop.kind === 'consumer' &&
        !untrustedWait.has(child.hop) &&
        !skewedHosts.has(`${child.hop.service}|${child.hop.instance}`);
      const waitUs = trusted ? (child.hop.queueWaitUs ?? 0) : 0;
      end = Math.max(end, (child.exitAtUs ?? 0) + waitUs + endUs(child.hop));
    }
    visiting.delete(hop);
    return end;
  };
  const roots = links.filter((l) => !l.parent).map((l) => l.hop);
  return { totalMs: Math.max(...roots.map(endUs)) / 1000, clockSkew: [...skew.values()], offsetsMs };
}
