// Two runs side by side, hop by hop in expected-path order: what the run page's "compared with the
// last ok run" and the compare page show.
import { type HopView, type RunView } from '@hoptrace/core/api';

export interface CompareSide {
  instance: string;
  durationMs: number;
  status: HopView['status'];
  httpStatus?: number;
  spanId: string;
}

export interface CompareRow {
  service: string;
  /** The service is in the expected path (of either run). */
  expected: boolean;
  a?: CompareSide;
  b?: CompareSide;
  /** b minus a, when both have the hop. */
  deltaMs?: number;
}

function side(hop: HopView | undefined): CompareSide | undefined {
  if (!hop) return undefined;
  const s: CompareSide = { instance: hop.instance, durationMs: hop.durationMs, status: hop.status, spanId: hop.spanId };
  if (hop.httpStatus !== undefined) s.httpStatus = hop.httpStatus;
  return s;
}

function pathOf(run: RunView): string[] {
  return run.path ?? run.facts?.expectedPath ?? [];
}

function firstHop(run: RunView, service: string, taken: Set<HopView>): HopView | undefined {
  const hop = run.hops
    .filter((h) => h.service === service && !taken.has(h))
    .sort((x, y) => (x.offsetMs ?? x.startMs) - (y.offsetMs ?? y.startMs))[0];
  if (hop) taken.add(hop);
  return hop;
}

/**
 * One row per service: the expected path of `a` (then services only `b` expects), then hops off
 * the path. A service visited twice in a run gives two rows, paired in order.
 */
export function compareRuns(a: RunView, b: RunView): CompareRow[] {
  const expected = [...pathOf(a)];
  for (const service of pathOf(b)) if (!expected.includes(service)) expected.push(service);
  const takenA = new Set<HopView>();
  const takenB = new Set<HopView>();
  const rows: CompareRow[] = [];
  const add = (service: string, isExpected: boolean) => {
    const ha = firstHop(a, service, takenA);
    const hb = firstHop(b, service, takenB);
    const row: CompareRow = { service, expected: isExpected };
    const sa = side(ha);
    const sb = side(hb);
    if (sa) row.a = sa;
    if (sb) row.b = sb;
    if (sa && sb) row.deltaMs = sb.durationMs - sa.durationMs;
    rows.push(row);
    return Boolean(ha || hb);
  };
  for (const service of expected) {
    add(service, true);
    // Repeated visits (a retry): keep pairing while either run has another hop there.
    while (
      a.hops.some((h) => h.service === service && !takenA.has(h)) ||
      b.hops.some((h) => h.service === service && !takenB.has(h))
    ) {
      add(service, true);
    }
  }
  const extra = [...a.hops, ...b.hops].map((h) => h.service).filter((s) => !expected.includes(s));
  for (const service of [...new Set(extra)]) {
    while (
      a.hops.some((h) => h.service === service && !takenA.has(h)) ||
      b.hops.some((h) => h.service === service && !takenB.has(h))
    ) {
      add(service, false);
    }
  }
  return rows;
}
