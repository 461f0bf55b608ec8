// Dashboard live updates in the browser: does the page stay smooth while runs arrive at 50 a
// second (issue 9)? Starts a small order service under the hoptrace drop-in (two `shop`
// instances in front of a `stock`, about 10 % of requests slow, failing or not forwarded) and an
// Oamserver with ten probes through it, fires runs through its API at the rate asked, and opens
// the dashboard in Debian's chromium. On each page it measures, inside the page, frame intervals,
// long tasks, whether what the reader looks at moves, errors and the runs shown arriving, plus the
// main thread's time (DevTools metrics) and the CPU of every process; once with live traffic and
// once without (the baseline), alternating, round after round. Writes
// bench/results/dashboard-live.json and a markdown section for docs/dashboard-performance.md.
//   node bench/dashboard-live.mjs [--rate 50] [--seconds 20] [--rounds 3] [--quick] [--profile]
import { machineInfo } from './lib/machine-info.mjs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { LIVE_USAGE, parseLiveArgs } from './lib/live-args.mjs';
import {
  launchChromium,
  newContext,
  markPageWindow,
  openVariant,
  pageMetrics,
  startPageRecording,
  stopPageRecording,
  VARIANTS,
  VIEWPORT,
} from './lib/live-page.mjs';
import {
  BASELINE_BUDGET,
  LIVE_BUDGET,
  LIVE_PATH,
  LIVE_PROBES,
  LIVE_TIMEOUT_MS,
  liveConfig,
  startTargets,
} from './lib/live-platform.mjs';
import {
  chromiumCpu,
  chromiumCpuDelta,
  machineBusy,
  machineCpu,
  processCpu,
  processCpuDelta,
  redisCpuMs,
} from './lib/live-procs.mjs';
import { loadProfile, monotonicUs } from './lib/cpu-profile.mjs';
import { profileLiveWindow, serverProfileSummary } from './lib/live-profile.mjs';
import {
  formatLiveReport,
  frameStats,
  longTaskStats,
  median,
  scrollVerdict,
  SMOOTH,
  smoothFailures,
  summarizeLive,
} from './lib/live-report.mjs';
import { formatLiveSection } from './lib/live-section.mjs';
import { drainEvents, listenEvents, startDriver } from './lib/live-traffic.mjs';
import { percentile } from './lib/load.mjs';
import { deleteKeys, findOrStartRedis } from './lib/redis.mjs';
import { startOamserver } from './lib/ttd-platform.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = dirname(BENCH_DIR);
/** After a page has drawn its data and scrolled: time for its first frames, fonts and charts to settle. */
const SETTLE_MS = 1500;
/** Traffic before a live window's measurement starts, so that runs are being classified at full rate. */
const RAMP_MS = 3000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round1 = (v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : null);

/**
 * Which dashboard was measured: the script its index.html loads (named by its content's hash),
 * and whether its sources (or the API contract it parses with) differ from the commit.
 */
function dashboardBuild() {
  let script = null;
  try {
    const html = readFileSync(join(REPO_DIR, 'packages', 'dashboard', 'dist', 'index.html'), 'utf8');
    script = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1] ?? null;
  } catch {
    // not built: opening a page will say so
  }
  let changedSources = null;
  try {
    changedSources = execFileSync(
      'git',
      ['status', '--porcelain', '--', 'packages/dashboard/src', 'packages/core/src/api'],
      { cwd: REPO_DIR, encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
  } catch {
    // not a git checkout
  }
  return { script, changedSources };
}

/** The ordering of conditions in a round: idle first in even rounds, live first in odd ones. */
const conditionsOf = (round) => (round % 2 === 0 ? ['idle', 'live'] : ['live', 'idle']);

/** CPU counters of every process of interest, to be compared before and after a window. */
async function cpuSnapshot(ctx) {
  return {
    at: performance.now(),
    procs: processCpu(ctx.pids),
    chromium: chromiumCpu(),
    redisMs: await redisCpuMs(ctx.redis).catch(() => null),
    benchUs: process.cpuUsage(),
    machine: machineCpu(),
  };
}

function cpuDelta(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const procs = processCpuDelta(before.procs, after.procs);
  const chromium = chromiumCpuDelta(before.chromium, after.chromium);
  const benchUs = process.cpuUsage(before.benchUs);
  const ms = {
    oamserver: procs.oamserver,
    targets: ['shop1', 'shop2', 'stock'].reduce((n, k) => n + (procs[k] ?? 0), 0),
    chromium,
    chromiumTotal: Object.values(chromium).reduce((a, b) => a + b, 0),
    redis: before.redisMs === null || after.redisMs === null ? null : after.redisMs - before.redisMs,
    bench: Math.round((benchUs.user + benchUs.system) / 1000),
  };
  const perS = (v) => (typeof v === 'number' ? Math.round(v / seconds) : null);
  return {
    cpuMs: ms,
    cpuMsPerS: {
      ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, typeof v === 'object' ? null : perS(v)])),
      chromium: Object.fromEntries(Object.entries(chromium).map(([k, v]) => [k, perS(v)])),
    },
    machine: machineBusy(before.machine, after.machine),
  };
}

/** Main-thread time of the page over a window, from two Performance.getMetrics readings (thread time). */
function mainThread(m0, m1, seconds) {
  const perS = (name) => round1(((m1[name] - m0[name]) * 1000) / seconds);
  return {
    taskMsPerS: perS('TaskDuration'),
    scriptMsPerS: perS('ScriptDuration'),
    layoutMsPerS: perS('LayoutDuration'),
    styleMsPerS: perS('RecalcStyleDuration'),
    layoutsPerS: round1((m1.LayoutCount - m0.LayoutCount) / seconds),
    styleRecalcsPerS: round1((m1.RecalcStyleCount - m0.RecalcStyleCount) / seconds),
    heapMiBAtEnd: round1(m1.JSHeapUsedSize / 2 ** 20),
    domNodesAtEnd: m1.Nodes,
  };
}

/** Frame intervals over 50 ms, with when they ended (ms into the window), for reading a window by hand. */
function slowFrames(intervals) {
  let t = 0;
  const out = [];
  for (const f of intervals) {
    t += f;
    if (f > 50 && out.length < 50) out.push({ atMs: Math.round(t), ms: round1(f) });
  }
  return out;
}

function lagStats(runs) {
  const sorted = runs.map((r) => r.lagMs).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? null };
}

function countVerdicts(runs) {
  const out = {};
  for (const r of runs) out[r.verdict ?? 'none'] = (out[r.verdict ?? 'none'] ?? 0) + 1;
  return out;
}

/** Starts firing runs at the options' rate; the driver is stopped by cleanup too (Ctrl-C). */
function startTraffic(ctx) {
  const driver = startDriver({ baseUrl: ctx.oamserver.url, probes: LIVE_PROBES, rate: ctx.options.rate });
  const stop = driver.stop;
  ctx.drivers.add(driver);
  driver.stop = async () => {
    ctx.drivers.delete(driver);
    await stop();
  };
  return driver;
}

/** One measured window: open the page, (start the traffic,) record, close. Returns its record. */
async function measureWindow(ctx, variant, condition, round) {
  const { context, oamserver, events, options } = ctx;
  const opened = await openVariant(context, oamserver.url, variant);
  const { page, cdp, problems, placement } = opened;
  let driver;
  try {
    await sleep(SETTLE_MS);
    // Recording starts before the traffic: the first runs to arrive (a "new runs" bar appearing) count too.
    await startPageRecording(page, variant);
    if (condition === 'live') driver = startTraffic(ctx);
    await sleep(RAMP_MS);
    const metrics0 = await pageMetrics(cdp);
    const cpu0 = await cpuSnapshot(ctx);
    const fired0 = driver?.stats().fired ?? 0;
    await markPageWindow(page);
    const t0 = performance.now();
    const fromUs = monotonicUs();
    await sleep(options.seconds * 1000);
    const rec = await stopPageRecording(page);
    const t1 = performance.now();
    const toUs = monotonicUs();
    const fired1 = driver?.stats().fired ?? 0;
    const cpu1 = await cpuSnapshot(ctx);
    const metrics1 = await pageMetrics(cdp);
    const seconds = (t1 - t0) / 1000;
    let driverStats;
    if (driver) {
      await driver.stop();
      driverStats = driver.stats();
      ctx.firedTotal += driverStats.fired;
      driver = undefined;
    }
    const missing = await drainEvents(events, ctx.firedTotal);
    ctx.missingEvents = missing;
    const received = events.runs(t0, t1);
    const shownShare =
      variant.scroll === 'middle' && variant.arrivals === 'row'
        ? null
        : rec.streamEvents.run > 0
          ? Math.round((rec.arrived / rec.streamEvents.run) * 1000) / 1000
          : null;
    const w = {
      variant: variant.id,
      condition,
      round,
      startedAt: new Date(Date.now() - (performance.now() - t0)).toISOString(),
      seconds: round1(seconds),
      monotonicUs: [fromUs, toUs],
      recordedMs: Math.round(rec.recordedMs),
      markedAtMs: Math.round(rec.markedAtMs),
      placement,
      script: rec.script,
      frames: frameStats(rec.frames),
      slowFrames: slowFrames(rec.frames),
      longTasks: {
        ...longTaskStats(rec.longTasks),
        list: rec.longTasks.slice(0, 100).map((t) => ({ ...t, ms: Math.round(t.ms) })),
        beforeWindow: rec.longTasksBeforeWindow.map((t) => ({ ...t, ms: Math.round(t.ms) })),
      },
      scroll: scrollVerdict(variant, rec),
      errors: [...problems, ...rec.errors],
      arrivals: {
        shown: rec.arrived,
        cellsOrRowsAdded: rec.added,
        removed: rec.removed,
        pageReceived: rec.streamEvents.run,
        pageReceivedInWindow: rec.streamEventsInWindow.run,
        pageIncidentEvents: rec.streamEvents.incident,
        pageResyncEvents: rec.streamEvents.resync,
        shownShare,
        waitingButton: rec.waitingButton,
        rowsAtEnd: rec.rows,
        cellsAtEnd: rec.cells,
      },
      traffic: {
        fired: fired1 - fired0,
        firedPerS: round1((fired1 - fired0) / seconds),
        classified: received.length,
        classifiedPerS: round1(received.length / seconds),
        lagMs: lagStats(received),
        verdicts: countVerdicts(received),
        driver: driverStats,
        eventsMissingAfterDrain: missing,
      },
      main: mainThread(metrics0, metrics1, seconds),
      ...cpuDelta(cpu0, cpu1),
      loadAvg1m: round1(loadavg()[0]),
    };
    w.smoothFailures = smoothFailures(w);
    return w;
  } finally {
    if (driver) {
      await driver.stop();
      ctx.firedTotal += driver.stats().fired;
    }
    await page.close().catch(() => undefined);
  }
}

/** Warm-up: traffic for `seconds`, the pages opened once meanwhile (caches, JIT), then a drain. */
async function warmUp(ctx, seconds) {
  const driver = startTraffic(ctx);
  const started = performance.now();
  const t0 = performance.now();
  try {
    for (const id of ctx.options.pages) {
      const { page } = await openVariant(ctx.context, ctx.oamserver.url, VARIANTS[id]);
      await sleep(1000);
      await page.close();
    }
    const left = seconds * 1000 - (performance.now() - started);
    if (left > 0) await sleep(left);
  } finally {
    await driver.stop();
    ctx.firedTotal += driver.stats().fired;
  }
  const t1 = performance.now();
  const missing = await drainEvents(ctx.events, ctx.firedTotal);
  const received = ctx.events.runs(t0, t1);
  return {
    seconds: round1((t1 - t0) / 1000),
    driver: driver.stats(),
    classifiedPerS: round1(received.length / ((t1 - t0) / 1000)),
    lagMs: lagStats(received),
    verdicts: countVerdicts(ctx.events.runs()),
    eventsMissingAfterDrain: missing,
  };
}

function trafficSummary(windows, events) {
  const live = windows.filter((w) => w.condition === 'live');
  const rates = live.map((w) => w.traffic.classifiedPerS);
  const fired = live.map((w) => w.traffic.firedPerS);
  const lags = live.flatMap((w) => [w.traffic.lagMs.p50, w.traffic.lagMs.p95]);
  const all = live.length ? events.runs() : [];
  return {
    classifiedPerS: { median: round1(median(rates)), min: round1(Math.min(...rates)), max: round1(Math.max(...rates)) },
    firedPerS: { median: round1(median(fired)) },
    lagMs: {
      p50: round1(median(live.map((w) => w.traffic.lagMs.p50))),
      p95: round1(median(live.map((w) => w.traffic.lagMs.p95))),
      max: Math.max(...live.map((w) => w.traffic.lagMs.max ?? 0)),
      worstWindowP95: Math.max(...lags.filter((v) => typeof v === 'number')),
    },
    verdicts: countVerdicts(all),
    idleWindowEvents: windows.filter((w) => w.condition === 'idle').reduce((n, w) => n + w.traffic.classified, 0),
    oamserverCpuMsPerRun: round1(
      median(live.map((w) => (w.traffic.classified > 0 ? w.cpuMs.oamserver / w.traffic.classified : null))),
    ),
    targetsCpuMsPerRun: round1(
      median(live.map((w) => (w.traffic.classified > 0 ? w.cpuMs.targets / w.traffic.classified : null))),
    ),
  };
}

async function main() {
  let options;
  try {
    options = parseLiveArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n${LIVE_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(LIVE_USAGE);
    return 0;
  }
  const out = options.out
    ? resolve(options.out)
    : join(BENCH_DIR, 'results', options.quick ? 'dashboard-live-quick.tmp.json' : 'dashboard-live.json');
  const sectionOut = options.section
    ? resolve(options.section)
    : join(REPO_DIR, '.tmp', options.quick ? 'dashboard-live-section-quick.md' : 'dashboard-live-section.md');
  let redisServer;
  try {
    redisServer = await findOrStartRedis();
  } catch (error) {
    console.error(`dashboard-live: ${error.message}`);
    return 2;
  }
  const log = (message) => console.log(`dashboard-live: ${message}`);
  const prefix = `hoptrace-live:${randomBytes(4).toString('hex')}:`;
  const secret = `live-${randomBytes(24).toString('base64url')}`;
  const redis = new Redis(redisServer.url);
  const machine = machineInfo(BENCH_DIR);
  const variants = options.pages.map((id) => VARIANTS[id]);
  const config = {
    rate: options.rate,
    seconds: options.seconds,
    rounds: options.rounds,
    warmupS: options.warmup,
    settleS: SETTLE_MS / 1000,
    rampS: RAMP_MS / 1000,
    quick: options.quick,
    serverProf: options.serverProf,
    pages: variants.map((v) => ({ id: v.id, label: v.label, path: v.path, scroll: v.scroll })),
    viewport: VIEWPORT,
    probes: LIVE_PROBES,
    path: LIVE_PATH,
    budget: options.baselineHops ? BASELINE_BUDGET : LIVE_BUDGET,
    baselineHops: options.baselineHops,
    timeoutMs: LIVE_TIMEOUT_MS,
    faults:
      'about 5 % slow at stock (220-400 ms, budget 150 ms), 3 % error at stock (500), 1 % never forwarded to stock (lost)',
    smooth: SMOOTH,
    command: `node bench/dashboard-live.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  };
  log(
    `${variants.length} pages × ${options.rounds} rounds × (idle + live) windows of ${options.seconds} s at ` +
      `${options.rate} runs/s; Redis ${redisServer.url}, key prefix ${prefix}`,
  );

  machine.dashboard = dashboardBuild();
  const ctx = {
    options,
    redis,
    repoDir: REPO_DIR,
    events: undefined,
    drivers: new Set(),
    startTraffic,
    firedTotal: 0,
    missingEvents: 0,
  };
  let targets;
  let oamserver;
  let browser;
  let interrupted = false;
  let cleaned;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await Promise.all([...ctx.drivers].map((d) => d.stop().catch(() => undefined)));
      await ctx.events?.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      await oamserver?.stop().catch(() => undefined);
      await Promise.all((targets?.all ?? []).map((t) => t.stop().catch(() => undefined)));
      const deleted = await deleteKeys(redis, prefix).catch(() => 0);
      log(`stopped chromium, the Oamserver and the services; deleted ${deleted} keys under ${prefix}`);
      await redis.quit().catch(() => redis.disconnect());
      redisServer.stop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`dashboard-live: ${signal}, cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const failures = [];
  const result = { machine, config };
  const windows = [];
  const profileDir = options.serverProf ? mkdtempSync(join(tmpdir(), 'hoptrace-live-prof-')) : undefined;
  try {
    targets = await startTargets({ redisUrl: redisServer.url, prefix, secret });
    oamserver = await startOamserver({
      repoDir: REPO_DIR,
      configYaml: liveConfig({
        prefix,
        shopUrls: targets.shops.map((s) => s.url),
        nowMs: Date.now(),
        quietMs: 3 * 3_600_000,
        maxRuns: 100_000,
        budget: config.budget,
      }),
      redisUrl: redisServer.url,
      secret,
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      readyTimeoutMs: 60_000,
    });
    ctx.oamserver = oamserver;
    ctx.pids = {
      oamserver: oamserver.server.child.pid,
      shop1: targets.shops[0].pid,
      shop2: targets.shops[1].pid,
      stock: targets.stock.pid,
    };
    ctx.events = await listenEvents(oamserver.url);
    browser = await launchChromium();
    machine.chromium = `Chromium ${browser.version()}`;
    ctx.context = await newContext(browser);
    log(`Oamserver at ${oamserver.url}, ${machine.chromium}; warming up with ${options.warmup} s of traffic`);
    result.warmUp = await warmUp(ctx, options.warmup);
    log(
      `warm-up: ${result.warmUp.driver.fired} runs fired, ${result.warmUp.classifiedPerS} classified/s, ` +
        `lag p50 ${result.warmUp.lagMs.p50} ms; verdicts ${JSON.stringify(result.warmUp.verdicts)}`,
    );
    const total = options.rounds * variants.length * 2;
    for (let round = 0; round < options.rounds && !interrupted; round++) {
      for (const variant of variants) {
        for (const condition of conditionsOf(round)) {
          if (interrupted) break;
          let w;
          try {
            w = await measureWindow(ctx, variant, condition, round);
          } catch (error) {
            if (interrupted) break;
            failures.push(`${variant.id} ${condition} (round ${round + 1}): could not be measured: ${error.message}`);
            log(
              `[${windows.length + 1}/${total}] round ${round + 1} ${variant.id} ${condition}: FAILED (${error.message})`,
            );
            continue;
          }
          windows.push(w);
          log(
            `[${windows.length}/${total}] round ${round + 1} ${variant.id.padEnd(11)} ${condition.padEnd(4)} ` +
              `${w.frames.fps} fps, frame median ${w.frames.medianMs} p95 ${w.frames.p95Ms} max ${w.frames.maxMs} ms, ` +
              `long tasks ${w.longTasks.count} (max ${w.longTasks.maxMs} ms), main ${w.main.taskMsPerS} ms/s, ` +
              `${w.traffic.classifiedPerS} runs/s, shown ${w.arrivals.shown}` +
              (w.smoothFailures.length ? ` — ${w.smoothFailures.join('; ')}` : ''),
          );
        }
      }
    }
    if (options.profile && !interrupted) {
      result.profiles = [];
      for (const variant of variants) {
        log(`profiling a live window of ${variant.id}`);
        result.profiles.push(await profileLiveWindow(ctx, variant));
      }
    }
    if (!oamserver.server.running()) failures.push('the Oamserver stopped during the bench');
    for (const t of targets.all) if (!t.running()) failures.push(`${t.instance} stopped during the bench`);
  } catch (error) {
    if (!interrupted) console.error(`dashboard-live: ${error.stack ?? error.message}`);
    failures.push(error.message);
    result.oamserverOutput = oamserver?.server.output().slice(-4000);
  } finally {
    await cleanup();
  }
  if (interrupted) return 130;

  machine.loadAvg1mAtEnd = loadavg()[0];
  // The load average at the start and end says little about a 15-minute run on a shared machine.
  machine.loadAvg1mMaxInWindows = windows.reduce((m, w) => Math.max(m, w.loadAvg1m ?? 0), 0);
  result.windows = windows;
  result.summary = summarizeLive(windows, variants);
  result.traffic = trafficSummary(windows, ctx.events ?? { runs: () => [] });
  if (result.traffic.classifiedPerS.median !== null && result.traffic.classifiedPerS.median < 0.95 * options.rate) {
    result.traffic.sustained = false;
    failures.push(
      `the platform did not sustain ${options.rate} classified runs/s end to end: median ${result.traffic.classifiedPerS.median}/s`,
    );
  } else result.traffic.sustained = result.traffic.classifiedPerS.median !== null;
  for (const page of result.summary) {
    for (const w of windows.filter((x) => x.variant === page.variant && x.condition === 'live')) {
      for (const f of w.smoothFailures) failures.push(`${page.variant} live (round ${w.round + 1}): ${f}`);
    }
  }
  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) failures.push(`no CPU profile of the Oamserver was written in ${profileDir}`);
    else {
      const live = windows.filter((w) => w.condition === 'live');
      const loaded = loadProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')));
      result.serverProfile = {
        file: join(profileDir, file),
        ...serverProfileSummary(
          loaded,
          live.map((w) => ({ fromUs: w.monotonicUs[0], toUs: w.monotonicUs[1] })),
          live.reduce((n, w) => n + w.traffic.classified, 0),
        ),
      };
    }
  }
  const scripts = [...new Set(windows.map((w) => w.script))];
  machine.dashboard.scriptsMeasured = scripts;
  if (scripts.length > 1)
    failures.push(
      `the dashboard was rebuilt during the bench: windows ran ${scripts.join(', ')} (compare like with like)`,
    );
  if (ctx.missingEvents > 0) failures.push(`${ctx.missingEvents} fired runs never came back as run events`);
  result.failures = failures;
  if (windows.length > 0) console.log(formatLiveReport(result).join('\n'));
  else console.error(`dashboard-live: FAILED: ${failures.join('; ')}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nfull result: ${out}`);
  if (windows.length > 0) {
    mkdirSync(dirname(sectionOut), { recursive: true });
    writeFileSync(sectionOut, formatLiveSection({ ...result, out, sectionOut, repoDir: REPO_DIR }));
    console.log(`markdown section: ${sectionOut}`);
  }
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
