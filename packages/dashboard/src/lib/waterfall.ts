// The geometry of a run's waterfall, laid on the probe's expected path: one row per expected
// service in path order (its hops, or a ghost row saying why none arrived), unexpected hops next to
// the hop that called them, duplicates (a replayed token) right after the hop they repeat. Positions are percentages of a shared time axis, so the page only
// has to set `left` and `width`.
import { type HopView, type RunView } from '@hoptrace/core/api';

/** A bar on the time axis, in percent of the axis. */
export interface Bar {
  startPct: number;
  widthPct: number;
  /** The part over the hop's limit (budget or baseline), when it went over. */
  over?: { startPct: number; widthPct: number };
  /** Where the limit falls, when it is on the axis. */
  limitPct?: number;
}

/** How a hop's duration compares with its limit. */
export interface HopLimit {
  kind: 'budget' | 'baseline';
  ms: number;
  /** Over the limit by this much (absent when within). */
  overMs?: number;
}

export interface HopRow {
  kind: 'hop';
  key: string;
  service: string;
  /** 1-based place in the expected path; absent for hops not in it. */
  position?: number;
  hop: HopView;
  /** Start offset after firing: the classifier's, or estimated from wall clocks when missing. */
  offsetMs: number;
  offsetEstimated: boolean;
  bar: Bar;
  limit?: HopLimit;
  /** The service is not in the expected path. */
  unexpected: boolean;
  /** The hop arrived under another trace (context lost on the way). */
  offTrace: boolean;
  /** The run's fault is put on this hop. */
  atFault: boolean;
  /** The journey step the hop belongs to (journeys only). */
  step?: string;
  /**
   * A second hop of this service for the same call (a replayed token, a message delivered twice),
   * or a hop such a one caused: shown, not judged (`HopView.duplicate`).
   */
  duplicate: boolean;
}

export interface GhostRow {
  kind: 'ghost';
  key: string;
  service: string;
  position: number;
  /** Why no hop is there, in words. */
  reason: string;
  atFault: boolean;
  /** The journey step whose path expects the hop (journeys only). */
  step?: string;
}

export type WaterfallRow = HopRow | GhostRow;

export interface Tick {
  ms: number;
  pct: number;
}

export interface WaterfallModel {
  path: string[];
  /** The axis runs from 0 to this many ms after firing. */
  scaleMs: number;
  ticks: Tick[];
  rows: WaterfallRow[];
  /** The whole run's end, on the axis (when known). */
  totalPct?: number;
  /** The whole run's budget, when it is on the axis. */
  totalBudgetPct?: number;
  /** Some offsets came from hosts' wall clocks, not the classifier. */
  offsetsEstimated: boolean;
  /** The span id of the hop at fault, for the embedded trace view. */
  faultSpanId?: string;
}

/** A round axis end at or above `ms`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceCeil(ms: number): number {
  if (!(ms > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(ms));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= ms) return step * power;
  }
  return 10 * power;
}

/** About `count` evenly spaced round ticks from 0 to `scaleMs` inclusive. */
export function axisTicks(scaleMs: number, count = 5): Tick[] {
  const rough = scaleMs / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * power).find((s) => s >= rough) ?? rough;
  const ticks: Tick[] = [];
  for (let ms = 0; ms <= scaleMs + step / 1000; ms += step) {
    const rounded = Math.round(ms * 1000) / 1000;
    ticks.push({ ms: rounded, pct: pct(rounded, scaleMs) });
  }
  return ticks;
}

function pct(ms: number, scaleMs: number): number {
  return Math.max(0, Math.min(100, (ms / scaleMs) * 100));
}

/** The hop the run's fault names (its instance when given), if it reported: a judged hop, never a duplicate. */
export function faultHop(run: Pick<RunView, 'fault' | 'hops'>): HopView | undefined {
  const fault = run.fault;
  if (!fault) return undefined;
  return run.hops.find(
    (h) => !h.duplicate && h.service === fault.service && (!fault.instance || h.instance === fault.instance),
  );
}

function hopLimit(hop: HopView): HopLimit | undefined {
  const kind = hop.budgetMs !== undefined ? 'budget' : hop.slowAboveMs !== undefined ? 'baseline' : undefined;
  if (!kind) return undefined;
  const ms = (kind === 'budget' ? hop.budgetMs : hop.slowAboveMs)!;
  return hop.durationMs > ms ? { kind, ms, overMs: hop.durationMs - ms } : { kind, ms };
}

function ghostReason(run: RunView, service: string): string {
  const facts = run.facts;
  if (run.state === 'pending') return 'not arrived yet: the run is still being watched';
  if (run.verdict === 'unknown') {
    return facts?.note ? `not judged: ${facts.note}` : 'not judged: hoptrace could not read storage';
  }
  if (run.verdict === 'context-broken' && run.fault?.service === service) {
    return 'context broken: arrived under another trace';
  }
  if (run.verdict === 'trigger-failed') return 'never reached: the trigger failed';
  const label = run.verdict === 'lost' ? 'lost' : 'missing';
  const last = facts?.lastHopReached;
  return last ? `${label}: never reached (last reached: ${last})` : `${label}: never reached`;
}

/** A row that hangs off the one above it: a hop off the path, or a duplicate. */
function attached(row: HopRow): boolean {
  return row.unexpected || row.duplicate;
}

/** The waterfall of a run. */
export function buildWaterfall(run: RunView): WaterfallModel {
  const path = run.path ??
    run.facts?.expectedPath ?? [...new Set(run.hops.filter((h) => h.expected).map((h) => h.service))];
  const firedMs = Date.parse(run.firedAt);
  const earliestStart = Math.min(...run.hops.map((h) => h.startMs));
  const offsetsEstimated = run.hops.some((h) => h.offsetMs === undefined);
  const offsetOf = (hop: HopView): number => {
    if (hop.offsetMs !== undefined) return hop.offsetMs;
    // Wall clocks of different hosts: good enough to draw, flagged on the page.
    const base = Number.isFinite(firedMs) && firedMs <= earliestStart ? firedMs : earliestStart;
    return Math.max(0, hop.startMs - base);
  };
  const offsets = new Map(run.hops.map((h) => [h, offsetOf(h)]));
  const ends = run.hops.map((h) => offsets.get(h)! + h.durationMs);
  const totalMs = run.facts?.totalMs;
  const scaleMs = niceCeil(Math.max(1, ...ends, totalMs ?? 0));
  const fault = faultHop(run);

  const hopRow = (hop: HopView, position?: number): HopRow => {
    const offsetMs = offsets.get(hop)!;
    const limit = hopLimit(hop);
    const bar: Bar = { startPct: pct(offsetMs, scaleMs), widthPct: pct(hop.durationMs, scaleMs) };
    if (limit) {
      const limitEnd = offsetMs + limit.ms;
      if (limitEnd <= scaleMs) bar.limitPct = pct(limitEnd, scaleMs);
      if (limit.overMs !== undefined) {
        bar.over = { startPct: pct(limitEnd, scaleMs), widthPct: pct(limit.overMs, scaleMs) };
      }
    }
    const row: HopRow = {
      kind: 'hop',
      key: `hop:${hop.spanId}`,
      service: hop.service,
      hop,
      offsetMs,
      offsetEstimated: hop.offsetMs === undefined,
      bar,
      unexpected: !hop.expected,
      offTrace: !hop.onTrace,
      atFault: hop === fault,
      duplicate: hop.duplicate === true,
    };
    if (position !== undefined) row.position = position;
    if (limit) row.limit = limit;
    if (hop.step !== undefined) row.step = hop.step;
    return row;
  };

  const byOffset = (a: HopView, b: HopView) => offsets.get(a)! - offsets.get(b)!;
  const placed = new Set<HopView>();
  const rows: WaterfallRow[] = [];
  // A journey is drawn step by step, each on its own path; a probe of one step is one segment.
  const segments = run.steps
    ? run.steps.map((step) => ({
        step: step.name,
        skipped: step.skipped,
        path: step.path,
        hops: run.hops.filter((h) => h.step === step.name && !h.earlierAttempt && !h.duplicate),
      }))
    : [{ step: undefined, skipped: undefined, path, hops: run.hops.filter((h) => !h.duplicate) }];
  let position = 0;
  for (const segment of segments) {
    segment.path.forEach((service, index) => {
      position++;
      const candidates = segment.hops.filter((h) => h.service === service && !placed.has(h)).sort(byOffset);
      // A service the path visits again later takes one hop here and leaves the rest for later.
      const visitedAgain = segment.path.indexOf(service, index + 1) >= 0;
      const hops = visitedAgain ? candidates.slice(0, 1) : candidates;
      if (hops.length === 0) {
        const ghost: GhostRow = {
          kind: 'ghost',
          key: `ghost:${position}:${service}`,
          service,
          position,
          reason: segment.skipped !== undefined ? `not run: ${segment.skipped}` : ghostReason(run, service),
          atFault: run.fault?.service === service && run.fault.step === segment.step,
        };
        if (segment.step !== undefined) ghost.step = segment.step;
        rows.push(ghost);
        return;
      }
      for (const hop of hops) {
        placed.add(hop);
        rows.push(hopRow(hop, position));
      }
    });
  }

  // Hops off the path go right after the hop that called them (or at the end when the caller is
  // unknown), so "recorder called audit" reads in place. A duplicate goes right after the hop it
  // repeats (same service, same parent span), and what it caused after it in turn.
  const extras = run.hops.filter((h) => !placed.has(h)).sort(byOffset);
  const rowIndex = (match: (hop: HopView) => boolean) => rows.findIndex((r) => r.kind === 'hop' && match(r.hop));
  for (const hop of extras) {
    const row = hopRow(hop);
    let anchor = -1;
    if (hop.duplicate) {
      anchor = rowIndex((h) => !h.duplicate && h.service === hop.service && h.parentSpanId === hop.parentSpanId);
    }
    if (anchor === -1) anchor = rowIndex((h) => h.spanId === hop.parentSpanId);
    if (anchor === -1) rows.push(row);
    else {
      let at = anchor + 1;
      while (at < rows.length && rows[at]!.kind === 'hop' && attached(rows[at] as HopRow)) at++;
      rows.splice(at, 0, row);
    }
    placed.add(hop);
  }

  const model: WaterfallModel = { path, scaleMs, ticks: axisTicks(scaleMs), rows, offsetsEstimated };
  if (totalMs !== undefined) model.totalPct = pct(totalMs, scaleMs);
  const totalBudget = run.facts?.totalBudgetMs ?? run.budget?.totalMs;
  if (totalBudget !== undefined && totalBudget <= scaleMs) model.totalBudgetPct = pct(totalBudget, scaleMs);
  if (fault) model.faultSpanId = fault.spanId;
  return model;
}
