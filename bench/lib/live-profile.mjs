// `--profile` of bench/dashboard-live.mjs: one more live window per page, recorded with
// chromium's DevTools trace (what the renderer's threads did, by event: script, style, layout,
// paint, GC...) and its JS sampling profiler (which functions the script time went to); and, for
// `--server-prof`, where the Oamserver's CPU went during the live windows.
import { sliceProfile } from './cpu-profile.mjs';
import { openVariant } from './live-page.mjs';
import { dashboardSourceMaps } from './live-sourcemap.mjs';
import { drainEvents } from './live-traffic.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ms = (us) => Math.round(us / 100) / 10;

/** Trace categories: the DevTools performance panel's, without screenshots. */
const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8.execute',
  'blink.user_timing',
  'toplevel',
];

/** Layouts of a thread: how many, and how many layout objects each had dirty out of how many. */
function layoutStats(layouts) {
  if (layouts.length === 0) return null;
  const sorted = (key) => layouts.map((l) => l[key]).sort((a, b) => a - b);
  const mid = (v) => v[Math.floor(v.length / 2)];
  return {
    count: layouts.length,
    medianDirtyObjects: mid(sorted('dirty')),
    medianTotalObjects: mid(sorted('total')),
    medianMs: Math.round(mid(sorted('ms')) * 10) / 10,
    maxMs: Math.round(sorted('ms').at(-1) * 10) / 10,
  };
}

/**
 * Self time by event name on each thread of the trace, for complete events ('X'), nested by time:
 * an event's self time is its duration minus its direct children's. Returns the busiest renderer
 * main thread (the measured page's) and the other threads' totals.
 */
export function traceBreakdown(traceEvents, fromUs, toUs) {
  const names = new Map();
  for (const e of traceEvents)
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  const byThread = new Map();
  for (const e of traceEvents) {
    if (e.ph !== 'X' || typeof e.dur !== 'number' || e.ts < fromUs || e.ts > toUs) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  const threads = [];
  for (const [key, events] of byThread) {
    // Nesting by time: each event's parent is the innermost earlier event that is still open.
    events.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const nodes = [];
    const stack = [];
    for (const e of events) {
      while (stack.length && stack.at(-1).end <= e.ts) stack.pop();
      const parent = stack.at(-1);
      if (parent) parent.childUs += Math.min(e.dur, parent.end - e.ts);
      const node = { e, end: e.ts + e.dur, childUs: 0, root: parent ? parent.root : e };
      stack.push(node);
      nodes.push(node);
    }
    const selfUs = new Map();
    const longTaskParts = new Map();
    let topLevelUs = 0;
    let topLevelThreadUs = 0;
    const layouts = [];
    for (const node of nodes) {
      const { e } = node;
      if (node.root === e) {
        topLevelUs += e.dur;
        if (typeof e.tdur === 'number') topLevelThreadUs += e.tdur;
      }
      if (e.name === 'Layout' && e.args?.beginData?.dirtyObjects !== undefined)
        layouts.push({ dirty: e.args.beginData.dirtyObjects, total: e.args.beginData.totalObjects, ms: e.dur / 1000 });
      const own = Math.max(0, e.dur - node.childUs);
      selfUs.set(e.name, (selfUs.get(e.name) ?? 0) + own);
      if (node.root.dur >= 50_000) {
        const parts = longTaskParts.get(node.root) ?? new Map();
        parts.set(e.name, (parts.get(e.name) ?? 0) + own);
        longTaskParts.set(node.root, parts);
      }
    }
    threads.push({
      thread: names.get(key) ?? key,
      pid: Number(key.split(':')[0]),
      busyMs: ms(topLevelUs),
      // Thread time: what the thread itself ran; the rest of busyMs it waited for a core.
      busyThreadMs: ms(topLevelThreadUs),
      layouts: layoutStats(layouts),
      self: [...selfUs.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: ms(us) })),
      longTasks: [...longTaskParts.entries()]
        .sort((a, b) => a[0].ts - b[0].ts)
        .map(([root, parts]) => ({
          atMs: ms(root.ts - fromUs),
          ms: ms(root.dur),
          threadMs: typeof root.tdur === 'number' ? ms(root.tdur) : null,
          parts: [...parts.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 6)
            .map(([name, us]) => ({ name, ms: ms(us) })),
        })),
    });
  }
  threads.sort((a, b) => b.busyMs - a.busyMs);
  const main = threads.find((t) => t.thread === 'CrRendererMain');
  return {
    main: main && { ...main, self: main.self.slice(0, 25) },
    threads: threads.slice(0, 12).map((t) => ({
      thread: t.thread,
      pid: t.pid,
      busyMs: t.busyMs,
      busyThreadMs: t.busyThreadMs,
      top: t.self.slice(0, 6),
    })),
  };
}

/** Where a frame's code comes from: a dashboard source file, a package, a browser builtin. */
function areaOf(place, callFrame) {
  if (place) {
    if (place.source.startsWith('src/') || place.source.startsWith('core/')) return place.source;
    return /^((?:@[^/]+\/)?[^/]+)/.exec(place.source)?.[1] ?? place.source;
  }
  if (!callFrame.url) return callFrame.functionName.startsWith('(') ? callFrame.functionName : 'browser builtins';
  return callFrame.url.split('/').pop();
}

/**
 * A V8 CPU profile (Profiler.stop) by JS function and by area (dashboard source file or package),
 * self time and inclusive time (an area counted once per sample however deep it recurses).
 * `lookup(url, line0, column0)` names minified dashboard code (see live-sourcemap.mjs).
 */
export function profileBreakdown(profile, lookup = () => undefined, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const info = new Map();
  const infoOf = (node) => {
    let i = info.get(node.id);
    if (!i) {
      const cf = node.callFrame;
      const place = cf.url ? lookup(cf.url, cf.lineNumber, cf.columnNumber) : undefined;
      const file = cf.url ? cf.url.split('/').pop() : '';
      const name = place
        ? `${place.name ?? cf.functionName ?? '(anonymous)'} (${place.source}:${place.line})`
        : `${cf.functionName || '(anonymous)'}${file ? ` ${file}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : ''}`;
      i = { name, area: areaOf(place, cf) };
      info.set(node.id, i);
    }
    return i;
  };
  const self = new Map();
  const selfArea = new Map();
  const inclusiveArea = new Map();
  let totalUs = 0;
  profile.samples.forEach((id, k) => {
    const dt = profile.timeDeltas[k + 1] ?? 0;
    const node = byId.get(id);
    if (node.callFrame.functionName === '(idle)') return;
    totalUs += dt;
    const { name, area } = infoOf(node);
    self.set(name, (self.get(name) ?? 0) + dt);
    selfArea.set(area, (selfArea.get(area) ?? 0) + dt);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const a = infoOf(byId.get(x)).area;
      if (seen.has(a)) continue;
      seen.add(a);
      inclusiveArea.set(a, (inclusiveArea.get(a) ?? 0) + dt);
    }
  });
  const ranked = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: ms(us), share: Math.round((1000 * us) / Math.max(1, totalUs)) / 10 }));
  return {
    busyMs: ms(totalUs),
    functions: ranked(self),
    areas: ranked(selfArea),
    areasInclusive: ranked(inclusiveArea),
  };
}

/** One live window of `variant` under the trace and the JS profiler (`ctx.startTraffic` fires the runs). */
export async function profileLiveWindow(ctx, variant) {
  const { context, oamserver, options } = ctx;
  const browser = context.browser();
  const { page, cdp } = await openVariant(context, oamserver.url, variant);
  let driver;
  try {
    await sleep(1500);
    driver = ctx.startTraffic(ctx);
    await sleep(3000);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
    await browser.startTracing(page, { categories: CATEGORIES });
    await cdp.send('Profiler.start');
    await sleep(options.seconds * 1000);
    const { profile } = await cdp.send('Profiler.stop');
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
    await driver.stop();
    ctx.firedTotal += driver.stats().fired;
    driver = undefined;
    await drainEvents(ctx.events, ctx.firedTotal);
    const events = Array.isArray(trace) ? trace : trace.traceEvents;
    const scripts = [...new Set(profile.nodes.map((n) => n.callFrame.url).filter((u) => u.includes('/assets/')))];
    const maps = dashboardSourceMaps(
      ctx.repoDir,
      scripts.map((u) => u.split('/').pop()),
    );
    const times = events.filter((e) => e.ph === 'X' && typeof e.ts === 'number').map((e) => e.ts);
    const start = times.reduce((a, b) => Math.min(a, b), Infinity);
    return {
      variant: variant.id,
      seconds: options.seconds,
      trace: traceBreakdown(events, start, Infinity),
      js: { ...profileBreakdown(profile, maps.lookup), sourceMaps: maps.bundles, sourceMapNote: maps.note },
    };
  } finally {
    if (driver) {
      await driver.stop();
      ctx.firedTotal += driver.stats().fired;
    }
    await page.close().catch(() => undefined);
  }
}

/**
 * Where the Oamserver's CPU went during the live windows (`--server-prof`: it ran under
 * `node --cpu-prof`): self time by area and by function, summed over the windows' spans of
 * the monotonic clock ([fromUs, toUs] each), with the CPU per classified run.
 */
export function serverProfileSummary(loaded, spans, runs, top = 20) {
  const byArea = new Map();
  const byFunction = new Map();
  let busyMs = 0;
  let windowMs = 0;
  for (const { fromUs, toUs } of spans) {
    const slice = sliceProfile(loaded, fromUs, toUs, { top: 100_000 });
    busyMs += slice.busyMs;
    windowMs += slice.windowMs;
    for (const a of slice.byArea) byArea.set(a.name, (byArea.get(a.name) ?? 0) + a.ms);
    for (const f of slice.byFunction) byFunction.set(f.name, (byFunction.get(f.name) ?? 0) + f.ms);
  }
  const ranked = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, v]) => ({
        name,
        ms: Math.round(v),
        share: busyMs ? Math.round((1000 * v) / busyMs) / 10 : 0,
        msPerRun: runs ? Math.round((100 * v) / runs) / 100 : null,
      }));
  return {
    windowMs: Math.round(windowMs),
    busyMs: Math.round(busyMs),
    runs,
    busyMsPerRun: runs ? Math.round((100 * busyMs) / runs) / 100 : null,
    byArea: ranked(byArea),
    byFunction: ranked(byFunction),
  };
}
