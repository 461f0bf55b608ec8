import { stableHash } from '@hoptrace/core';
import type { ProbeDefinition } from '../config/probe-config-schema';

/** What the scheduler calls when a probe is due, with the schedule slot it is due for. */
export type FireProbe = (probe: ProbeDefinition, slot: number) => Promise<void>;

/** Options of the scheduler. */
export interface SchedulerOptions {
  now?: () => number;
  random?: () => number;
  /** Most random delay added to each firing, as a share of the interval (capped at 500 ms). Default 0.05. */
  jitterRatio?: number;
}

/** A stable phase in [0, everyMs) for a probe, from its name, so that probes spread out and every Oamserver agrees. */
export function phaseOf(name: string, everyMs: number): number {
  return stableHash(name) % everyMs;
}

/**
 * Fires each enabled probe on its schedule. A probe's firings fall on fixed slots (`every`,
 * shifted by a phase derived from its name, so probes do not all fire at once after a start),
 * each delayed by a little random jitter. The slot number lets several Oamservers agree on who
 * fires (see RunStore.claimSlot). Timers are unref'd; a firing that throws is reported, not fatal.
 */
export class Scheduler {
  private readonly _timers = new Map<string, NodeJS.Timeout>();
  private readonly _now: () => number;
  private readonly _random: () => number;
  private readonly _jitterRatio: number;
  private _running = false;

  constructor(
    private readonly _probes: readonly ProbeDefinition[],
    private readonly _fire: FireProbe,
    options: SchedulerOptions = {},
  ) {
    this._now = options.now ?? Date.now;
    this._random = options.random ?? Math.random;
    this._jitterRatio = options.jitterRatio ?? 0.05;
  }

  get running(): boolean {
    return this._running;
  }

  start(): void {
    this._running = true;
    for (const probe of this._probes) if (probe.enabled) this._schedule(probe);
  }

  stop(): void {
    this._running = false;
    for (const timer of this._timers.values()) clearTimeout(timer);
    this._timers.clear();
  }

  /** The next slot of a probe after `nowMs`, and when it starts. */
  nextSlot(probe: ProbeDefinition, nowMs: number): { slot: number; atMs: number } {
    const phase = phaseOf(probe.name, probe.every);
    const slot = Math.floor((nowMs - phase) / probe.every) + 1;
    return { slot, atMs: slot * probe.every + phase };
  }

  private _schedule(probe: ProbeDefinition): void {
    if (!this._running) return;
    const now = this._now();
    const { slot, atMs } = this.nextSlot(probe, now);
    const jitterMs = this._random() * Math.min(probe.every * this._jitterRatio, 500);
    const timer = setTimeout(
      () => {
        this._fire(probe, slot)
          .catch(() => undefined)
          .finally(() => undefined);
        this._schedule(probe);
      },
      atMs - now + jitterMs,
    );
    timer.unref();
    this._timers.set(probe.name, timer);
  }
}
