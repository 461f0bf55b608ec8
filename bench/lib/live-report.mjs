// Figures of bench/dashboard-live.mjs: one window's summary, the medians over rounds, live/idle
// ratios of the same round, and the verdict against what "smooth" is taken to mean.
import { percentile } from './load.mjs';

/** What "smooth" is judged against, for every live window (and, as a check on the machine, idle ones). */
export const SMOOTH = {
  /** Median frame interval: a 60 Hz page draws a frame every 16.7 ms. */
  frameMedianMaxMs: 18,
  /** 95th percentile of frame intervals: a stall of 50 ms or more is a visible hitch. */
  frameP95MaxMs: 50,
  /** No single task may block the main thread this long (input would wait as long). */
  longTaskMaxMs: 200,
  /** The page must show at least this share of the runs its stream delivered in the window (where it shows them). */
  shownMinShare: 0.9,
};
/** Nominal frame interval at 60 Hz. */
const FRAME_MS = 1000 / 60;

const round1 = (v) => (v === null || v === undefined || Number.isNaN(v) ? null : Math.round(v * 10) / 10);
/** Median of the finite numbers among `values` (the mean of the two middle ones for an even count), or null. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Frame intervals summarised: frames per second, percentiles, share over 50 ms, frames missed. */
export function frameStats(intervals) {
  const sorted = [...intervals].sort((a, b) => a - b);
  const totalMs = intervals.reduce((a, b) => a + b, 0);
  const over = (ms) => intervals.filter((f) => f > ms).length;
  return {
    frames: intervals.length,
    fps: totalMs > 0 ? round1((intervals.length * 1000) / totalMs) : null,
    medianMs: round1(percentile(sorted, 50)),
    p95Ms: round1(percentile(sorted, 95)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted.at(-1)),
    over50Pct: intervals.length ? round1((100 * over(50)) / intervals.length) : null,
    over33: over(33.4),
    missedFrames: intervals.reduce((n, f) => n + Math.max(0, Math.round(f / FRAME_MS) - 1), 0),
  };
}

/** Long tasks summarised. */
export function longTaskStats(tasks) {
  return {
    count: tasks.length,
    totalMs: Math.round(tasks.reduce((a, t) => a + t.ms, 0)),
    maxMs: Math.round(tasks.reduce((a, t) => Math.max(a, t.ms), 0)),
  };
}

/** Whether what the reader looks at moved: the anchor's place on screen, sampled every frame. */
export function scrollVerdict(variant, rec) {
  if (!variant.anchor) return { judged: false, note: 'top of the list: new rows push it down by design' };
  const moved = !rec.hadAnchor || rec.anchorLost || rec.anchorShiftFrames > 0;
  return {
    judged: true,
    moved,
    anchorFound: rec.hadAnchor,
    anchorLost: rec.anchorLost,
    framesShifted: rec.anchorShiftFrames,
    maxShiftPx: round1(rec.anchorMaxShiftPx),
    // The first frame it was off its place ({ atMs, px (positive: down), scrollY }), and when a
    // "Show n new runs" bar first appeared (runs page), ms after the recording started.
    firstShift: rec.anchorFirstShift,
    barShownAtMs: rec.barShownAtMs,
    scrollY: [rec.y0, rec.y1],
    scrollEvents: rec.scrollEvents,
    // Each scroll event's scrollY, ms after the recording started (the window starts at markedAtMs).
    scrolls: rec.scrolls.slice(0, 20),
  };
}

/** The smoothness failures of one window (empty: smooth). */
export function smoothFailures(w) {
  const out = [];
  if (w.frames.medianMs === null) out.push('no frame drawn');
  else if (w.frames.medianMs > SMOOTH.frameMedianMaxMs) out.push(`median frame ${w.frames.medianMs} ms`);
  if (w.frames.p95Ms > SMOOTH.frameP95MaxMs) out.push(`p95 frame ${w.frames.p95Ms} ms`);
  if (w.longTasks.maxMs > SMOOTH.longTaskMaxMs) out.push(`long task of ${w.longTasks.maxMs} ms`);
  if (w.scroll.judged && w.scroll.moved)
    out.push(
      w.scroll.anchorFound
        ? `what the reader looked at moved (${w.scroll.framesShifted} frames, up to ${w.scroll.maxShiftPx} px${w.scroll.anchorLost ? ', then left the page' : ''}` +
            (w.scroll.firstShift
              ? `; first by ${w.scroll.firstShift.px} px at ${w.scroll.firstShift.atMs} ms` +
                (w.scroll.barShownAtMs !== null
                  ? `, the "Show n new runs" bar appeared at ${w.scroll.barShownAtMs} ms`
                  : '')
              : '') +
            ')'
        : 'nothing to watch in the middle of the screen',
    );
  if (w.errors.length > 0) out.push(`${w.errors.length} errors`);
  if (w.condition === 'live' && w.arrivals.shownShare !== null && w.arrivals.shownShare < SMOOTH.shownMinShare)
    out.push(`showed ${w.arrivals.shown} of ${w.arrivals.pageReceived} runs received`);
  return out;
}

/** Ratio of two figures, or null. */
const ratio = (a, b) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? Math.round((a / b) * 100) / 100 : null;

/** Figures compared between live and idle, with how to read each from a window. */
export const COMPARED = [
  ['fps', (w) => w.frames.fps],
  ['frame median ms', (w) => w.frames.medianMs],
  ['frame p95 ms', (w) => w.frames.p95Ms],
  ['frame p99 ms', (w) => w.frames.p99Ms],
  ['frame max ms', (w) => w.frames.maxMs],
  ['frames > 50 ms %', (w) => w.frames.over50Pct],
  ['long tasks', (w) => w.longTasks.count],
  ['long task total ms', (w) => w.longTasks.totalMs],
  ['long task max ms', (w) => w.longTasks.maxMs],
  ['main thread busy ms/s', (w) => w.main?.taskMsPerS],
  ['script ms/s', (w) => w.main?.scriptMsPerS],
  ['layout ms/s', (w) => w.main?.layoutMsPerS],
  ['style ms/s', (w) => w.main?.styleMsPerS],
  ['renderer CPU ms/s', (w) => w.cpuMsPerS?.chromium?.renderer],
  ['chromium CPU ms/s (all)', (w) => w.cpuMsPerS?.chromiumTotal],
  ['Oamserver CPU ms/s', (w) => w.cpuMsPerS?.oamserver],
  ['machine busy %', (w) => w.machine?.busyPct],
];

/** Per page: medians over rounds of idle and live windows, same-round live/idle ratios, the verdict. */
export function summarizeLive(windows, variants) {
  return variants.map((variant) => {
    const of = (condition) => windows.filter((w) => w.variant === variant.id && w.condition === condition);
    const idle = of('idle');
    const live = of('live');
    const figures = COMPARED.map(([name, read]) => {
      const idleMedian = median(idle.map(read));
      const liveMedian = median(live.map(read));
      const sameRound = live.map((l) => ratio(read(l), read(idle.find((i) => i.round === l.round) ?? {})));
      return {
        name,
        idle: round1(idleMedian),
        live: round1(liveMedian),
        ratio: ratio(liveMedian, idleMedian),
        sameRound,
        sameRoundMedian: round1(median(sameRound)),
      };
    });
    const liveFailures = live.map((w) => ({ round: w.round, failures: w.smoothFailures }));
    const idleFailures = idle.map((w) => ({ round: w.round, failures: w.smoothFailures }));
    const smoothLive = live.length > 0 && liveFailures.every((f) => f.failures.length === 0);
    return {
      variant: variant.id,
      label: variant.label,
      rounds: live.length,
      figures,
      liveFailures,
      idleFailures,
      verdict: smoothLive ? 'smooth' : 'NOT smooth',
      scrollMoved: live.some((w) => w.scroll.judged && w.scroll.moved),
      errors: [...idle, ...live].flatMap((w) => w.errors),
      classifiedPerS: round1(median(live.map((w) => w.traffic.classifiedPerS))),
      shown: live.map((w) => w.arrivals),
    };
  });
}

const pad = (s, n) => String(s ?? '-').padStart(n);

/** The report, as lines of text. */
export function formatLiveReport(result) {
  const { machine, config, summary, traffic, failures } = result;
  const lines = [
    '',
    `dashboard live updates — ${machine.date}, ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ` +
      `${machine.chromium}; load ${machine.loadAvg1mAtStart.toFixed(1)} → ${machine.loadAvg1mAtEnd?.toFixed(1)}; commit ${machine.commit}`,
    `${config.rate} runs/s fired through the API while live; ${config.rounds} rounds of idle and live windows of ` +
      `${config.seconds} s per page (after ${config.rampS} s of traffic before each live window); viewport ` +
      `${config.viewport.width}×${config.viewport.height}`,
    `classified runs received on /api/events during live windows: ${traffic.classifiedPerS.median} /s median ` +
      `(min ${traffic.classifiedPerS.min}, max ${traffic.classifiedPerS.max}); fired ${traffic.firedPerS.median} /s; ` +
      `fired → received lag p50 ${traffic.lagMs.p50} ms, p95 ${traffic.lagMs.p95} ms, max ${traffic.lagMs.max} ms; ` +
      `verdicts ${Object.entries(traffic.verdicts)
        .map(([v, n]) => `${v} ${n}`)
        .join(', ')}`,
  ];
  for (const page of summary) {
    lines.push('', `${page.label}: ${page.verdict} (median of ${page.rounds} rounds; ratio = live / idle)`);
    lines.push(`  ${'figure'.padEnd(26)} ${pad('idle', 8)} ${pad('live', 8)} ${pad('ratio', 7)}   same-round ratios`);
    for (const f of page.figures) {
      lines.push(
        `  ${f.name.padEnd(26)} ${pad(f.idle, 8)} ${pad(f.live, 8)} ${pad(f.ratio === null ? '-' : `×${f.ratio.toFixed(2)}`, 7)}   ${f.sameRound.map((r) => (r === null ? '-' : `×${r.toFixed(2)}`)).join(' ')}`,
      );
    }
    const shown = page.shown
      .map((a) =>
        a.waitingButton
          ? `button "${a.waitingButton.count}${a.waitingButton.capped ? '+' : ''} new runs", ${a.shown} rows added`
          : `${a.shown} shown / ${a.pageReceived} received`,
      )
      .join('; ');
    lines.push(`  runs arriving on the page (live windows): ${shown}`);
    for (const f of page.liveFailures)
      if (f.failures.length) lines.push(`  live round ${f.round + 1}: ${f.failures.join('; ')}`);
    for (const f of page.idleFailures)
      if (f.failures.length) lines.push(`  idle round ${f.round + 1} (machine check): ${f.failures.join('; ')}`);
    if (page.errors.length) lines.push(`  errors: ${[...new Set(page.errors)].slice(0, 5).join(' | ')}`);
  }
  lines.push(...formatProfiles(result));
  if (failures.length > 0) lines.push('', 'FAILURES:', ...failures.map((f) => `  - ${f}`));
  return lines;
}

/** The --profile and --server-prof summaries, as lines. */
export function formatProfiles({ profiles, serverProfile }) {
  const lines = [];
  for (const p of profiles ?? []) {
    const main = p.trace.main;
    lines.push('', `profile of a live window of ${p.variant} (${p.seconds} s, DevTools trace + JS sampling profiler):`);
    if (main) {
      lines.push(
        `  renderer main thread: busy ${main.busyMs} ms (ran ${main.busyThreadMs} ms of it; the rest it waited for a core); ` +
          `self time by event: ${main.self
            .slice(0, 10)
            .map((e) => `${e.name} ${e.ms}`)
            .join(', ')}`,
      );
      if (main.layouts)
        lines.push(
          `  ${main.layouts.count} layouts, median ${main.layouts.medianMs} ms (max ${main.layouts.maxMs}), ` +
            `${main.layouts.medianDirtyObjects} of ${main.layouts.medianTotalObjects} layout objects dirty (median)`,
        );
      for (const t of main.longTasks.slice(0, 8))
        lines.push(
          `  task of ${t.ms} ms (ran ${t.threadMs ?? '?'} ms) at ${t.atMs} ms: ${t.parts.map((x) => `${x.name} ${x.ms}`).join(', ')}`,
        );
    }
    lines.push(
      `  other threads: ${p.trace.threads
        .filter((t) => t.thread !== 'CrRendererMain' || t.busyMs !== main?.busyMs)
        .slice(0, 6)
        .map((t) => `${t.thread} ${t.busyMs} ms`)
        .join(', ')}`,
      `  JS (${p.js.busyMs} ms sampled) self time by area: ${p.js.areas
        .slice(0, 10)
        .map((a) => `${a.name} ${a.ms}`)
        .join(', ')}`,
      `  JS inclusive by area: ${p.js.areasInclusive
        .slice(0, 10)
        .map((a) => `${a.name} ${a.ms}`)
        .join(', ')}`,
      `  JS self time by function: ${p.js.functions
        .slice(0, 12)
        .map((f) => `${f.name} ${f.ms}`)
        .join(', ')}`,
    );
    if (p.js.sourceMapNote) lines.push(`  (${p.js.sourceMapNote})`);
  }
  if (serverProfile) {
    lines.push(
      '',
      `Oamserver CPU during the live windows (node --cpu-prof, ${serverProfile.file}): ${serverProfile.busyMs} ms busy ` +
        `in ${serverProfile.windowMs} ms, ${serverProfile.busyMsPerRun} ms per classified run`,
      `  areas: ${serverProfile.byArea
        .slice(0, 10)
        .map((a) => `${a.name} ${a.share}%`)
        .join(', ')}`,
      `  functions: ${serverProfile.byFunction
        .slice(0, 12)
        .map((f) => `${f.name} ${f.share}%`)
        .join(', ')}`,
    );
  }
  return lines;
}
