// What the latency chart draws, computed apart from uPlot so it can be tested: the data columns,
// the incident spans, and the time range behind a clicked bucket.
import { type IncidentMarker, type ProbeOverview, type SeriesPoint } from '@hoptrace/core/api';

/** uPlot's columns: x in seconds (bucket starts), p50, p95, and the budget (constant, or nulls). */
export type ChartColumns = [number[], (number | null)[], (number | null)[], (number | null)[]];

export function chartColumns(points: readonly SeriesPoint[], budgetMs?: number): ChartColumns {
  return [
    points.map((p) => p.startMs / 1000),
    points.map((p) => p.p50Ms ?? null),
    points.map((p) => p.p95Ms ?? null),
    points.map(() => budgetMs ?? null),
  ];
}

/** The time range of one bucket: [fromMs, toMs] inclusive, as the runs filter takes it. */
export function bucketRange(
  series: ProbeOverview['series'],
  index: number,
): { fromMs: number; toMs: number } | undefined {
  const point = series.points[index];
  if (!point) return undefined;
  return { fromMs: point.startMs, toMs: point.startMs + series.bucketMs - 1 };
}

/** The whole chart's time span in ms. */
export function chartSpan(series: ProbeOverview['series']): { fromMs: number; toMs: number } | undefined {
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  if (!first || !last) return undefined;
  return { fromMs: first.startMs, toMs: last.startMs + series.bucketMs };
}

/** An incident as a shaded span on the chart, clipped to it. */
export interface MarkerSpan {
  id: string;
  fromMs: number;
  toMs: number;
  open: boolean;
  label: string;
}

export function markerSpans(markers: readonly IncidentMarker[], span: { fromMs: number; toMs: number }): MarkerSpan[] {
  return markers
    .map((m) => {
      const end = m.resolvedAtMs ?? span.toMs;
      const where = m.instance ? `${m.service} (${m.instance})` : m.service;
      return {
        id: m.id,
        fromMs: Math.max(m.startedAtMs, span.fromMs),
        toMs: Math.min(end, span.toMs),
        open: m.state === 'open',
        label: `${m.kind} at ${where}`,
      };
    })
    .filter((s) => s.toMs >= s.fromMs && s.toMs >= span.fromMs && s.fromMs <= span.toMs);
}

/** The highest value the chart must show (so the budget line is never cut off). */
export function chartMaxMs(points: readonly SeriesPoint[], budgetMs?: number): number {
  let max = budgetMs ?? 0;
  for (const p of points) max = Math.max(max, p.p95Ms ?? 0, p.p50Ms ?? 0);
  return max > 0 ? max * 1.1 : 100;
}
