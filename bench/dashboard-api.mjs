// Dashboard API with a big history: is the overview's first render, and a runs page, served in
// under 300 ms with 100,000 stored runs across 20 probes? Seeds a day of classified runs (and the
// incidents they make) under a private key prefix the way the Oamserver stores them (RunStore,
// IncidentStore), starts `hoptrace serve` on it, waits until it has read the day back, times the
// dashboard's routes (Server-Timing and round trip), counts their Redis commands, and writes
// bench/results/dashboard-api.json. See docs/dashboard-performance.md.
//   node bench/dashboard-api.mjs [--runs 100000] [--probes 20] [--quick] [--cpu-prof]
import { machineInfo } from './lib/machine-info.mjs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadProfile, monotonicUs, sliceProfile } from './lib/cpu-profile.mjs';
import { DASH_USAGE, parseDashArgs } from './lib/dash-args.mjs';
import { benchProbes, FAULT_MIX, RARE_INSTANCE, SAME_MS_SHARE } from './lib/dash-history.mjs';
import { redisCostPerRequest, timedGet, timeRoutes, walkPages } from './lib/dash-measure.mjs';
import { dashboardConfig, memoryMiB } from './lib/dash-platform.mjs';
import { formatDashReport, TARGET_MS, targetVerdict } from './lib/dash-report.mjs';
import { INCIDENT_RULES, seedHistory } from './lib/dash-seed.mjs';
import { freePort } from './lib/ports.mjs';
import { deleteKeys, findOrStartRedis } from './lib/redis.mjs';
import { startOamserver } from './lib/ttd-platform.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = dirname(BENCH_DIR);
/** The history ends a minute ago and starts 23 h before: all of it inside the 24 h window while the bench runs. */
const HISTORY_SPAN_MS = 23 * 3_600_000;
const PAGE = 50;
/** How often the warm-up wait asks the 24 h overview for its count. */
const POLL_MS = 2000;
const DEEP_PAGES = 100;
/** Functions whose inclusive CPU time the profile summary reports (by name; see lib/cpu-profile.mjs). */
const PROFILED_FUNCTIONS = [
  'buildOverview@overview',
  'latestSummaries@overview',
  'window@probe-timeline',
  'summary@windowed-histogram',
  'add@log-histogram',
  'buckets@windowed-histogram',
  'getValueAtPercentile@log-histogram',
  'buildFlowMap@flow-map',
  'buildProbeFlow@flow-map',
  'find@run-finder',
  'loadSummaries@run-store',
  'indexEntries@run-store',
  'parse@stored-json',
  'safeParse@zod',
  'list@incident-store',
  'json@express',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes) => Math.round(bytes / 2 ** 20);

/**
 * What the Oamserver about to start is built from: the commit, and the files of its packages that
 * differ from it (other people may be editing and rebuilding them in the same checkout).
 */
function serverSource() {
  const git = (...args) => execFileSync('git', args, { cwd: REPO_DIR, encoding: 'utf8' }).trim();
  try {
    const changed = git(
      'status',
      '--porcelain',
      '--',
      'packages/oamserver/src',
      'packages/oamserver/lua',
      'packages/core/src',
    );
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedFiles: changed ? changed.split('\n') : [] };
  } catch {
    return { commit: null, uncommittedFiles: [] };
  }
}

async function redisUsedMiB(redis) {
  const info = await redis.info('memory');
  return mib(Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0));
}

/** The routes timed, in the order of each round. `target`: the 300 ms criterion applies. */
function routesFor({ probe, deepCursor, deepPages, runId }) {
  const runs = `/api/runs?view=summary&limit=${PAGE}`;
  return [
    {
      id: 'overview-1h',
      label: 'overview 1h, 60 cells (first render)',
      path: '/api/overview?window=1h&cells=60',
      target: true,
    },
    { id: 'overview-24h', label: 'overview 24h', path: '/api/overview?window=24h', target: true },
    { id: 'runs-first', label: 'runs, first page', path: runs, target: true },
    {
      id: 'runs-deep',
      label: `runs, page ${deepPages + 1} (cursor ${deepPages * PAGE} deep)`,
      path: `${runs}&cursor=${encodeURIComponent(deepCursor)}`,
      target: true,
    },
    { id: 'runs-lost', label: 'runs ?verdict=lost', path: `${runs}&verdict=lost`, target: true },
    {
      id: 'runs-probe-slow-error',
      label: `runs ?probe=${probe}&verdict=slow,error`,
      path: `${runs}&probe=${probe}&verdict=slow,error`,
      target: true,
    },
    {
      id: 'runs-rare-instance',
      label: `runs ?instance=${RARE_INSTANCE.instance} (rare)`,
      path: `${runs}&instance=${RARE_INSTANCE.instance}`,
      target: true,
    },
    {
      id: 'runs-rare-verdicts',
      label: 'runs ?verdict=context-broken,trigger-failed',
      path: `${runs}&verdict=context-broken,trigger-failed`,
      target: true,
      extra: true,
    },
    { id: 'map-1h', label: 'map 1h', path: '/api/map?window=1h' },
    { id: 'incidents-all', label: 'incidents ?state=all', path: '/api/incidents?state=all' },
    { id: 'run-one', label: 'one run /api/runs/<id>', path: `/api/runs/${runId}` },
  ];
}

/**
 * Polls the 24 h overview until it counts `expected` runs (the Oamserver's background read of the
 * day). Every POLL_MS: each poll costs the server most of a second of CPU (the overview's histogram
 * merging, see docs/dashboard-performance.md), which slows the read it waits for. Gives up when the
 * count has not moved for `stallMs` (the read stopped: the server's log says why) or after `timeoutMs`.
 */
async function waitForDay(oamserver, expected, { timeoutMs, stallMs }) {
  const started = Date.now();
  let counted = 0;
  let movedAt = started;
  for (;;) {
    const answer = await timedGet(oamserver.url, '/api/overview?window=24h&cells=1');
    const now = Date.now();
    if (answer.status === 200) {
      const count = answer.body.probes.reduce((n, p) => n + p.stats.count, 0);
      if (count !== counted) movedAt = now;
      counted = count;
    }
    if (counted >= expected) return counted;
    if (now - movedAt > stallMs || now - started > timeoutMs) {
      const warnings = oamserver.server
        .output()
        .split('\n')
        .filter((line) => /"level":[4-6]0/.test(line))
        .slice(-5);
      throw new Error(
        `after ${Math.round((now - started) / 1000)} s the 24h overview counts ${counted} of ${expected} runs ` +
          `(unchanged for ${Math.round((now - movedAt) / 1000)} s); the Oamserver's last warnings: ` +
          (warnings.join('\n') || '(none)'),
      );
    }
    await sleep(POLL_MS);
  }
}

async function main() {
  let options;
  try {
    options = parseDashArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n${DASH_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(DASH_USAGE);
    return 0;
  }
  const out = options.out
    ? resolve(options.out)
    : join(BENCH_DIR, 'results', options.quick ? 'dashboard-api-quick.tmp.json' : 'dashboard-api.json');
  let redisServer;
  try {
    redisServer = await findOrStartRedis();
  } catch (error) {
    console.error(`dashboard-api: ${error.message}`);
    return 2;
  }
  const log = (message) => console.log(`dashboard-api: ${message}`);
  const prefix = `hoptrace-dash:${randomBytes(4).toString('hex')}:`;
  const secret = `dash-${randomBytes(24).toString('base64url')}`;
  // Auto-pipelined, as the Oamserver's own client: many runs in flight share each write to the socket.
  const redis = new Redis(redisServer.url, { enableAutoPipelining: true });
  const machine = machineInfo(BENCH_DIR);
  const probes = benchProbes(options.probes);
  const maxRuns = Math.max(100_000, options.runs);
  const config = {
    runs: options.runs,
    probes: options.probes,
    requests: options.requests,
    warmups: options.warmups,
    concurrency: options.concurrency,
    quick: options.quick,
    maxRuns,
    historySpanH: HISTORY_SPAN_MS / 3_600_000,
    faultMix: FAULT_MIX,
    sameMsShare: SAME_MS_SHARE,
    rareInstance: RARE_INSTANCE,
    incidentRules: INCIDENT_RULES,
    pageSize: PAGE,
    deepPages: DEEP_PAGES,
    targetMs: TARGET_MS,
    cpuProf: options.cpuProf,
    probePaths: Object.fromEntries(probes.map((p) => [p.name, p.path.join(' > ')])),
  };
  log(`${options.runs} runs across ${options.probes} probes; Redis ${redisServer.url}, key prefix ${prefix}`);

  let oamserver;
  let seeding;
  let stopping = false;
  let interrupted = false;
  let cleaned;
  const cleanup = () =>
    (cleaned ??= (async () => {
      stopping = true;
      await seeding?.catch(() => undefined);
      await oamserver?.stop().catch(() => undefined);
      const deleted = await deleteKeys(redis, prefix).catch(() => 0);
      log(`stopped the Oamserver, deleted ${deleted} keys under ${prefix}`);
      await redis.quit().catch(() => redis.disconnect());
      redisServer.stop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`dashboard-api: ${signal}, cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const failures = [];
  const result = { machine, config };
  const profileDir = options.cpuProf ? mkdtempSync(join(tmpdir(), 'hoptrace-dash-prof-')) : undefined;
  const profileWindows = [];
  try {
    const storage = { redisVersion: /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] };
    storage.redisUsedMiBBefore = await redisUsedMiB(redis);
    const nowMs = Date.now();
    seeding = seedHistory({
      redis,
      keyPrefix: prefix,
      probes,
      runs: options.runs,
      startMs: nowMs - 60_000 - HISTORY_SPAN_MS,
      endMs: nowMs - 60_000,
      maxRuns,
      concurrency: options.concurrency,
      shouldStop: () => stopping,
      log,
    });
    result.seeding = await seeding;
    if (interrupted) return 130;
    log(`seeded ${result.seeding.stored} runs and ${result.seeding.incidents.total} incidents`);
    if (result.seeding.stored !== options.runs) {
      failures.push(
        `${options.runs - result.seeding.stored} runs were not stored: ${JSON.stringify(result.seeding.notStored)}`,
      );
    }
    const keys = { recent: `${prefix}runs:recent` };
    storage.storedRuns = await redis.zcard(keys.recent);
    storage.redisUsedMiBAfter = await redisUsedMiB(redis);
    result.storage = storage;

    const source = serverSource();
    const spawnedAt = Date.now();
    const spawnedAtUs = monotonicUs();
    oamserver = await startOamserver({
      repoDir: REPO_DIR,
      configYaml: dashboardConfig({
        prefix,
        probes,
        maxRuns,
        closedPort: await freePort(),
        nowMs: Date.now(),
        quietMs: 2 * 3_600_000,
      }),
      redisUrl: redisServer.url,
      secret,
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      readyTimeoutMs: 120_000,
    });
    const pid = oamserver.server.child.pid;
    const server = { source, readyMs: Date.now() - spawnedAt };
    log(`Oamserver at ${oamserver.url} ready after ${server.readyMs} ms; waiting until it has read the day back`);
    server.countedRuns = await waitForDay(oamserver, storage.storedRuns, { timeoutMs: 15 * 60_000, stallMs: 60_000 });
    server.warmMs = Date.now() - spawnedAt;
    server.memoryAfterWarmup = memoryMiB(pid);
    const warmWindow = { id: 'warm-up', label: 'start and warm-up (reading the day back)', requests: 1 };
    profileWindows.push({ ...warmWindow, fromUs: spawnedAtUs, toUs: monotonicUs() });
    log(
      `the 24h overview counts ${server.countedRuns} runs after ${server.warmMs} ms; RSS ${server.memoryAfterWarmup.rss} MiB`,
    );
    result.server = server;

    // A cursor deep in the history: walk `next` as the runs page loads more.
    const pages = Math.max(1, Math.min(DEEP_PAGES, Math.floor(storage.storedRuns / PAGE) - 2));
    const walk = await walkPages(oamserver.url, `/api/runs?view=summary&limit=${PAGE}`, pages);
    result.walk = { pages, ...walk };
    const deep = await timedGet(
      oamserver.url,
      `/api/runs?view=summary&limit=${PAGE}&cursor=${encodeURIComponent(walk.cursor)}`,
    );
    const faulty = deep.body.runs.find((r) => r.verdict !== 'ok' && r.verdict !== 'unknown') ?? deep.body.runs[0];
    const routes = routesFor({ probe: probes[0].name, deepCursor: walk.cursor, deepPages: pages, runId: faulty.runId });
    log(`timing ${routes.length} routes: ${options.warmups} warm-up and ${options.requests} timed rounds`);
    result.routes = await timeRoutes(oamserver.url, routes, {
      warmups: options.warmups,
      requests: options.requests,
      pid,
      onRound: (round, warmups) => {
        if (round >= warmups && (round - warmups + 1) % 10 === 0)
          log(`  ${round - warmups + 1}/${options.requests} rounds`);
      },
    });
    for (const r of result.routes) {
      if (r.failures.length > 0)
        failures.push(`${r.label}: ${r.failures.length} failed answers, e.g. ${r.failures[0]}`);
    }
    result.redisCost = await redisCostPerRequest(oamserver.url, routes, { redis, prefix });

    if (profileDir) {
      // One block of requests per route, so that the profile can be cut at each block's edges.
      for (const route of routes) {
        const fromUs = monotonicUs();
        for (let i = 0; i < 20; i++) await timedGet(oamserver.url, route.path);
        profileWindows.push({ id: route.id, label: route.label, requests: 20, fromUs, toUs: monotonicUs() });
      }
    }
    server.memoryAtEnd = memoryMiB(pid);
    server.runsFiredDuringBench = (await redis.zcard(keys.recent)) - storage.storedRuns;
    if (!oamserver.server.running()) failures.push('the Oamserver stopped during the bench');
  } catch (error) {
    // After Ctrl-C, requests fail because the server is being stopped: nothing to report.
    if (interrupted) return 130;
    console.error(`dashboard-api: ${error.stack ?? error.message}`);
    failures.push(error.message);
    result.oamserverOutput = oamserver?.server.output().slice(-4000);
    if (result.oamserverOutput)
      console.error(`dashboard-api: the Oamserver's output ends with:\n${result.oamserverOutput}`);
  } finally {
    await cleanup();
  }
  if (interrupted) return 130;

  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) failures.push(`no CPU profile was written in ${profileDir}`);
    else {
      const loaded = loadProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')));
      const slice = (from, to) => sliceProfile(loaded, from, to, { inclusive: PROFILED_FUNCTIONS });
      const [warmUp, ...routeWindows] = profileWindows;
      result.profile = {
        file: join(profileDir, file),
        wholeProcess: slice(loaded.profile.startTime, loaded.profile.endTime),
        warmUp: warmUp && { ...warmUp, ...slice(warmUp.fromUs, warmUp.toUs) },
        routes: routeWindows.map((w) => ({ ...w, ...slice(w.fromUs, w.toUs) })),
      };
      log(`CPU profile: ${result.profile.file}`);
    }
  }

  machine.loadAvg1mAtEnd = loadavg()[0];
  result.failures = failures;
  if (result.routes) {
    result.targets = Object.fromEntries(
      result.routes
        .filter((r) => targetVerdict(r))
        .map((r) => [r.id, { p95Ms: r.server.p95, verdict: targetVerdict(r) }]),
    );
    console.log(formatDashReport({ ...result, failures }).join('\n'));
    if (result.profile) console.log(formatProfile(result.profile).join('\n'));
  } else if (failures.length > 0) console.error(`dashboard-api: FAILED: ${failures.join('; ')}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, await formatJson(result, out));
  console.log(`\nfull result: ${out}`);
  return failures.length === 0 ? 0 : 1;
}

/**
 * The result as JSON, formatted by the workspace's Prettier when it is installed, so that a result
 * written over a committed one passes `pnpm lint` as it is.
 */
async function formatJson(value, file) {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    return await prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
  } catch {
    return text;
  }
}

/** The CPU profile, per route block: busy time per request, top areas and functions. */
function formatProfile(profile) {
  const lines = ['', `Oamserver CPU per route (node --cpu-prof, 20 requests each; ${profile.file}):`];
  for (const r of [profile.warmUp, ...profile.routes].filter(Boolean)) {
    lines.push(
      `  ${r.label}: ${(r.busyMs / r.requests).toFixed(1)} ms CPU${r.requests > 1 ? ' per request' : ''} ` +
        `(window ${r.windowMs} ms, idle ${r.idleMs} ms)`,
      `    areas: ${r.byArea
        .slice(0, 6)
        .map((a) => `${a.name} ${a.share}%`)
        .join(', ')}`,
      `    functions: ${r.byFunction
        .slice(0, 6)
        .map((f) => `${f.name} ${f.share}%`)
        .join(', ')}`,
      `    inclusive, ms${r.requests > 1 ? ' per request' : ''}: ${Object.entries(r.inclusive)
        .filter(([, ms]) => ms > 0)
        .map(([name, ms]) => `${name} ${(ms / r.requests).toFixed(1)}`)
        .join(', ')}`,
    );
  }
  return lines;
}

process.exitCode = await main();
