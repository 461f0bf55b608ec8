// The browser side of bench/dashboard-live.mjs: Debian's chromium driven by playwright-core, the
// dashboard pages it measures, and what it measures inside them (frame intervals from
// requestAnimationFrame, long tasks, whether what the reader looks at moved, runs shown arriving,
// errors) and from outside (Performance.getMetrics over the DevTools protocol).
/* global window, document, requestAnimationFrame, MutationObserver */
import { existsSync } from 'node:fs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@hoptrace/demo/chromium';
import { chromium } from 'playwright-core';

export { CHROMIUM_ARGS, CHROMIUM_PATH };
export const VIEWPORT = { width: 1280, height: 900 };

/**
 * The pages measured. `anchor`: what the reader looks at in the middle of the screen, whose place
 * on screen must not change (none at the top of the runs list, where new rows are meant to push
 * the list down). `arrivals`: how the page shows a new run (a strip cell, a table row).
 */
export const VARIANTS = {
  overview: {
    id: 'overview',
    label: 'overview `/`, scrolled to the middle',
    path: '/',
    scroll: 'middle',
    anchor: 'article.probe',
    arrivals: 'cell',
  },
  'runs-top': {
    id: 'runs-top',
    label: 'runs `/runs?live=1`, top of the list in view',
    path: '/runs?live=1',
    scroll: 'top',
    anchor: null,
    arrivals: 'row',
  },
  'runs-middle': {
    id: 'runs-middle',
    label: 'runs `/runs?live=1`, scrolled to the middle',
    path: '/runs?live=1',
    scroll: 'middle',
    anchor: 'tbody tr',
    arrivals: 'row',
  },
};

/** Starts headless chromium. Signals are ours to handle: the bench closes it in its own cleanup. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`chromium is not installed at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/**
 * Runs in the page before its own scripts: counts the events the page's EventSource receives, by
 * name, in `window.__liveBenchEvents` (the dashboard keeps its EventSource to itself).
 */
function countStreamEvents() {
  const counts = { run: 0, incident: 0, resync: 0 };
  window.__liveBenchEvents = counts;
  const Native = window.EventSource;
  if (!Native) return;
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      for (const type of Object.keys(counts)) this.addEventListener(type, () => counts[type]++);
    }
  };
}

/** A browser context the size of the brief's screen, counting stream events in every page. */
export async function newContext(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC' });
  await context.addInitScript(countStreamEvents);
  return context;
}

/** Whether the variant's page has drawn its data (runs in the page's strips or table). */
function pageReady(kind) {
  if (document.querySelector('[data-live]')?.getAttribute('data-live') !== 'live') return false;
  if (kind === 'cell') {
    const probes = document.querySelectorAll('article.probe').length;
    return (
      probes > 0 && document.querySelectorAll('ol.strip a.cell').length >= probes && !!document.querySelector('.u-over')
    );
  }
  return document.querySelectorAll('table.runs-table tbody tr').length >= 50;
}

/** Scrolls as the variant says; returns where the page is and how tall it is. */
function scrollPage(where) {
  const max = document.documentElement.scrollHeight - window.innerHeight;
  window.scrollTo(0, where === 'middle' ? Math.round(max / 2) : 0);
  const top = document.querySelector('.list-top');
  return {
    scrollY: window.scrollY,
    scrollHeight: document.documentElement.scrollHeight,
    listTopInView: top ? top.getBoundingClientRect().bottom > 0 : null,
  };
}

/**
 * Opens the variant in a new page of `context`, waits for its data and the live stream, scrolls.
 * Returns { page, cdp, problems, placement }. `problems` collects page errors and console errors.
 */
export async function openVariant(context, baseUrl, variant) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${baseUrl}${variant.path}`, { waitUntil: 'load', timeout: 60_000 });
  await page.waitForFunction(pageReady, variant.arrivals, { timeout: 60_000, polling: 250 });
  const placement = await page.evaluate(scrollPage, variant.scroll);
  const cdp = await context.newCDPSession(page);
  // Durations in thread time: the main thread's own CPU time, not the time it waited for a core.
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return { page, cdp, problems, placement };
}

/** The DevTools metrics compared before and after a window. */
const METRICS = [
  'TaskDuration',
  'ScriptDuration',
  'LayoutDuration',
  'RecalcStyleDuration',
  'LayoutCount',
  'RecalcStyleCount',
  'JSHeapUsedSize',
  'Nodes',
];

/** Performance.getMetrics as { name: value } for METRICS. */
export async function pageMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.filter((m) => METRICS.includes(m.name)).map((m) => [m.name, m.value]));
}

/**
 * Runs in the page: starts recording, before any live traffic. Over the whole recording: errors,
 * scroll events (with scrollY), the on-screen top of the anchor element (sampled every frame),
 * and the runs that appear (strip cells or table rows whose link was not on the page before).
 * From `__liveBenchMark()` on (the measured window, once traffic runs at full rate): frame
 * intervals (requestAnimationFrame timestamps) and long tasks.
 */
function startRecording(spec) {
  const t0 = performance.now();
  const rec = {
    frames: [],
    longTasks: [],
    errors: [],
    scrollEvents: 0,
    scrolls: [],
    y0: window.scrollY,
    anchorShiftFrames: 0,
    anchorMaxShiftPx: 0,
    anchorFirstShift: null,
    barShownAtMs: null,
    anchorLost: false,
    added: 0,
    removed: 0,
  };
  // The run a strip cell (<li> in ol.strip) or a table row (<tr> in the runs table) links to.
  const linkOf = (node, parent) => {
    if (node.nodeType !== 1) return undefined;
    if (spec.arrivals === 'cell') {
      if (node.tagName !== 'LI' || !parent.matches('ol.strip')) return undefined;
      return node.querySelector('a.cell')?.getAttribute('href') ?? undefined;
    }
    if (node.tagName !== 'TR' || !parent.matches('table.runs-table tbody')) return undefined;
    return node.querySelector('a[href^="/runs/"]')?.getAttribute('href') ?? undefined;
  };
  const selector = spec.arrivals === 'cell' ? 'ol.strip a.cell' : 'table.runs-table tbody a[href^="/runs/"]';
  const before = new Set([...document.querySelectorAll(selector)].map((a) => a.getAttribute('href')));
  const arrived = new Set();
  const mutations = new MutationObserver((list) => {
    for (const m of list) {
      if (m.type !== 'childList' || m.target.nodeType !== 1) continue;
      for (const node of m.addedNodes) {
        // The runs page's "Show n new runs" bar, the first time it appears.
        if (rec.barShownAtMs === null && node.nodeType === 1 && node.matches('.new-runs-bar, .new-runs-bar button'))
          rec.barShownAtMs = Math.round(performance.now() - t0);
        const href = linkOf(node, m.target);
        if (href === undefined) continue;
        rec.added++;
        if (!before.has(href)) arrived.add(href);
      }
      for (const node of m.removedNodes) if (linkOf(node, m.target) !== undefined) rec.removed++;
    }
  });
  mutations.observe(document.body, { childList: true, subtree: true });

  const longTasks = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) rec.longTasks.push({ atMs: Math.round(e.startTime - t0), ms: e.duration });
  });
  longTasks.observe({ type: 'longtask' });
  const onError = (e) => rec.errors.push(String(e.message ?? e));
  const onRejection = (e) => rec.errors.push(`unhandled rejection: ${String(e.reason?.message ?? e.reason)}`);
  const onScroll = () => {
    rec.scrollEvents++;
    if (rec.scrolls.length < 200) rec.scrolls.push({ atMs: Math.round(performance.now() - t0), y: window.scrollY });
  };
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  window.addEventListener('scroll', onScroll, { passive: true });

  let anchor;
  let anchorTop;
  if (spec.anchor) {
    anchor = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 2)?.closest(spec.anchor);
    anchorTop = anchor?.getBoundingClientRect().top;
  }
  let last;
  let running = true;
  let markAt;
  const frame = (ts) => {
    if (!running) return;
    if (last !== undefined && markAt !== undefined && last >= markAt) rec.frames.push(ts - last);
    last = ts;
    if (anchor) {
      if (!anchor.isConnected) rec.anchorLost = true;
      else {
        const moved = anchor.getBoundingClientRect().top - anchorTop;
        const shift = Math.abs(moved);
        if (shift >= 1) {
          rec.anchorShiftFrames++;
          rec.anchorFirstShift ??= {
            atMs: Math.round(ts - t0),
            px: Math.round(moved * 10) / 10,
            scrollY: window.scrollY,
          };
        }
        rec.anchorMaxShiftPx = Math.max(rec.anchorMaxShiftPx, shift);
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const events0 = { ...window.__liveBenchEvents };
  let eventsAtMark = events0;

  window.__liveBenchMark = () => {
    markAt = performance.now();
    eventsAtMark = { ...window.__liveBenchEvents };
    return markAt - t0;
  };
  window.__liveBenchStop = () => {
    running = false;
    mutations.disconnect();
    longTasks.disconnect();
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
    window.removeEventListener('scroll', onScroll);
    const events = window.__liveBenchEvents ?? {};
    const button = document.querySelector('.new-runs-bar button')?.textContent ?? '';
    const waiting = /Show ([\d,]+) new run/.exec(button);
    const delta = (from) => Object.fromEntries(Object.keys(events).map((k) => [k, events[k] - (from[k] ?? 0)]));
    return {
      ...rec,
      longTasks: rec.longTasks.filter((t) => t.atMs >= markAt - t0),
      longTasksBeforeWindow: rec.longTasks.filter((t) => t.atMs < markAt - t0),
      markedAtMs: markAt - t0,
      recordedMs: performance.now() - t0,
      windowMs: performance.now() - markAt,
      hadAnchor: Boolean(anchor),
      arrived: arrived.size,
      streamEvents: delta(events0),
      streamEventsInWindow: delta(eventsAtMark),
      waitingButton: waiting
        ? { count: Number(waiting[1].replaceAll(',', '')), capped: button.includes('and more') }
        : null,
      y1: window.scrollY,
      anchorEndShiftPx: anchor?.isConnected ? anchor.getBoundingClientRect().top - anchorTop : null,
      // The dashboard build this page runs (its script's name carries its content's hash).
      script: document.querySelector('script[src*="/assets/"]')?.getAttribute('src')?.split('/').pop() ?? null,
      rows: document.querySelectorAll('table.runs-table tbody tr').length,
      cells: document.querySelectorAll('ol.strip a.cell').length,
      nodes: document.getElementsByTagName('*').length,
    };
  };
}

/** Starts recording in the page (see startRecording). */
export async function startPageRecording(page, variant) {
  await page.evaluate(startRecording, { anchor: variant.anchor, arrivals: variant.arrivals });
}

/** Marks the start of the measured window in the page's recording. */
export async function markPageWindow(page) {
  return page.evaluate(() => window.__liveBenchMark());
}

/** Stops recording; returns what the page recorded. */
export async function stopPageRecording(page) {
  return page.evaluate(() => window.__liveBenchStop());
}
