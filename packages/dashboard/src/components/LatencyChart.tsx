import { type IncidentMarker, type ProbeOverview } from '@hoptrace/core/api';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { bucketRange, chartColumns, chartMaxMs, chartSpan, markerSpans } from '../lib/chart-data';
import { formatClock, formatDuration, plural } from '../lib/format';
import { runsHref } from '../lib/runs-filter';
import { navigate } from '../router/router';
import { memo } from './memo';

const HEIGHT = 150;
const COLORS = {
  p50: '#2563c9',
  p95: '#0f766e',
  budget: '#b42318',
  incident: 'rgba(196, 50, 50, 0.07)',
  incidentEdge: 'rgba(180, 35, 24, 0.55)',
  grid: '#e8ebf0',
};

interface Props {
  probe: string;
  series: ProbeOverview['series'];
  budgetMs?: number | undefined;
  incidents: readonly IncidentMarker[];
}

/** The runs of one bucket: `/runs?probe=P&from=..&to=..`. */
function bucketHref(probe: string, series: ProbeOverview['series'], index: number): string | undefined {
  const range = bucketRange(series, index);
  if (!range) return undefined;
  return runsHref({
    probe,
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
  });
}

/**
 * p50 and p95 of the probe's end-to-end time per bucket (uPlot, canvas), the total budget as a
 * dashed line, incidents as shaded spans. A click on a bucket opens its runs. The same numbers
 * are in a table below for keyboards and screen readers.
 */
export const LatencyChart = memo(function LatencyChart({ probe, series, budgetMs, incidents }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // uPlot's hooks are set up once; they read the latest props through this ref.
  const latest = useRef({ probe, series, incidents, budgetMs });
  latest.current = { probe, series, incidents, budgetMs };
  const [hover, setHover] = useState<number | null>(null);

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true },
        y: { range: () => [0, chartMaxMs(latest.current.series.points, latest.current.budgetMs)] },
      },
      axes: [
        { stroke: '#5a6473', grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid } },
        {
          stroke: '#5a6473',
          size: 56,
          grid: { stroke: COLORS.grid, width: 1 },
          ticks: { stroke: COLORS.grid },
          values: (_u, ticks) => ticks.map((v) => formatDuration(v)),
        },
      ],
      series: [
        {},
        { label: 'p50', stroke: COLORS.p50, width: 1.5, points: { show: false } },
        { label: 'p95', stroke: COLORS.p95, width: 2, points: { show: false } },
        { label: 'budget', stroke: COLORS.budget, width: 1, dash: [6, 4], points: { show: false } },
      ],
      hooks: {
        // Incidents under the lines: a shaded span each, with an edge where an open one started.
        drawClear: [
          (u) => {
            const span = chartSpan(latest.current.series);
            if (!span) return;
            const { ctx } = u;
            const top = u.bbox.top;
            const height = u.bbox.height;
            for (const s of markerSpans(latest.current.incidents, span)) {
              const x0 = u.valToPos(s.fromMs / 1000, 'x', true);
              const x1 = Math.max(u.valToPos(s.toMs / 1000, 'x', true), x0 + 2);
              ctx.fillStyle = COLORS.incident;
              ctx.fillRect(x0, top, x1 - x0, height);
              // An edge where each incident started (overlapping spans stay readable).
              ctx.fillStyle = COLORS.incidentEdge;
              ctx.fillRect(x0, top, s.open ? 2 : 1, height);
            }
          },
        ],
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
        init: [
          (u) => {
            u.over.addEventListener('click', () => {
              const idx = u.cursor.idx;
              if (idx === null || idx === undefined) return;
              const href = bucketHref(latest.current.probe, latest.current.series, idx);
              if (href) navigate(href);
            });
          },
        ],
      },
    };
    const u = new uPlot(opts, chartColumns(latest.current.series.points, budgetMs), el);
    plot.current = u;
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(chartColumns(series.points, budgetMs));
  }, [series, budgetMs]);
  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [incidents]);

  const point = hover !== null ? series.points[hover] : undefined;
  const spans = chartSpan(series);
  return (
    <figure class="chart">
      <figcaption class="chart-legend">
        <span class="key key-p50">p50</span>
        <span class="key key-p95">p95</span>
        {budgetMs !== undefined && <span class="key key-budget">budget {formatDuration(budgetMs)}</span>}
        {incidents.length > 0 && <span class="key key-incident">incident</span>}
        <span class="chart-readout" aria-hidden="true">
          {point
            ? `${formatClock(point.startMs)} · ${plural(point.count, 'run')} · p50 ${formatDuration(point.p50Ms)} · p95 ${formatDuration(point.p95Ms)} — click for its runs`
            : 'point at a bucket; click to see its runs'}
        </span>
      </figcaption>
      <div ref={box} class="chart-canvas" aria-hidden="true" />
      <details class="chart-table">
        <summary>
          Latency per bucket as a table<span class="sr-only"> ({probe})</span>
        </summary>
        <table class="table compact">
          <caption class="sr-only">
            {probe} latency per {formatDuration(series.bucketMs)} bucket
            {spans ? `, from ${formatClock(spans.fromMs)}` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col" class="num">
                Runs
              </th>
              <th scope="col" class="num">
                Faults
              </th>
              <th scope="col" class="num">
                p50
              </th>
              <th scope="col" class="num">
                p95
              </th>
            </tr>
          </thead>
          <tbody>
            {series.points.map((p, i) =>
              p.count === 0 ? null : (
                <tr key={p.startMs}>
                  <td>
                    <a href={bucketHref(probe, series, i)}>{formatClock(p.startMs)}</a>
                  </td>
                  <td class="num">{p.count}</td>
                  <td class="num">{p.faults}</td>
                  <td class="num">{formatDuration(p.p50Ms)}</td>
                  <td class="num">{formatDuration(p.p95Ms)}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
});
