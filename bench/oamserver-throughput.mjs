// Throughput and memory of the Oamserver (issue 13): what one probe run costs it, whole, and
// whether it keeps up with 100 runs a second over 1000 service instances.
//   1. The classifier alone (lib/tp-classifier.mjs, also `node bench/classifier.mjs`): classify()
//      on pre-built five-hop runs, runs per second on one core.
//   2. Per offered load R (runs per second): a real `hoptrace serve` (the CLI, as deployed) with
//      R x every probes firing on its own scheduler at a tiny HTTP platform in another process
//      (lib/tp-target.mjs), which answers each trigger and writes the run's five hop records into
//      Redis with the exporter's own script, as five services' drop-ins would. So the Oamserver
//      does all it does in production: claim the slot, record the run, sign the token, fire the
//      HTTP trigger, record its outcome, collect the hops, classify, store the verdict once,
//      index it, feed statistics, metrics, incidents and the live event stream. The bench
//      measures its CPU per run (process.cpuUsage via its own /metrics, and /proc), lag from
//      fired to classified, the pending backlog, its RSS and heap, and Redis's memory per run and
//      per hop (INFO and MEMORY USAGE by kind of key).
//   --soak: one long load with a short runTtl, to see whether memory stays flat once runs expire.
// Writes bench/results/oamserver-throughput.json. See docs/deployment.md.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { TP_USAGE, parseTpArgs } from './lib/tp-args.mjs';
import { measureClassifier } from './lib/tp-classifier.mjs';
import { machineInfo } from './lib/machine-info.mjs';
import { formatJson, sourceFingerprint } from './lib/tp-common.mjs';
import { measureLevel } from './lib/tp-level.mjs';
import { formatReport, targetVerdicts } from './lib/tp-report.mjs';
import { redisInfo } from './lib/tp-watch.mjs';
import { findOrStartRedis } from './lib/redis.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = dirname(BENCH_DIR);

function outFile(options) {
  if (options.out) return resolve(options.out);
  const name = options.quick
    ? 'oamserver-throughput-quick.tmp.json'
    : options.soak
      ? 'oamserver-throughput-soak.json'
      : 'oamserver-throughput.json';
  return join(BENCH_DIR, 'results', name);
}

function notes() {
  return [
    'whole-Oamserver loads: `hoptrace serve` (packages/oamserver/dist/cli/main.js) with a generated config of R x every ' +
      'probes, each every `every` s, HTTP trigger POST to the platform, path gateway > orders > pricing > inventory > ' +
      'ledger, budget total 2 s and pricing 200 ms; default incidents, baseline, maxRuns; log level info (non-ok runs are ' +
      'logged, as in production). Its scheduler fires the runs: the offered load is what it fires, not a generator rate',
    'the platform (bench/lib/tp-target.mjs, a separate process, its CPU not counted) answers each trigger after the ' +
      "gateway's synthetic duration and writes the run's hop records with the exporter's own client settings and " +
      'write-hops script (exporter/dist), one script call per hop, each when its span ended plus 0-200 ms (the span ' +
      "processor's batching delay); outcomes from --mix; instances picked at random among --instances",
    "CPU per run: the Oamserver's process.cpuUsage() (user + system, all threads; read by prom-client at the /metrics " +
      "scrapes at the window's edges) over the window, divided by the runs whose verdict was stored in the window; " +
      '"/proc" is the same from /proc/<pid>/stat (10 ms ticks). It includes the /metrics scrapes (one per --scrape-every)',
    'lag: from the run being fired (firedAtMs) to classifiedAtMs, the `now` of the collector pass that stored its verdict ' +
      '(finish-run.lua), read from Redis by the bench once a second; "complete" runs are classified once their hops and ' +
      'trigger outcome are in, "lost" ones at their deadline (the probe timeout)',
    'backlog: the sum of ZCARD over the pending sets (runs:pending*), once a second',
    "Redis memory: MEMORY USAGE (SAMPLES 0) of every key under the level's prefix after the Oamserver stopped, by kind; " +
      'run hashes hold the run, its trigger outcome, result and summary; hop hashes expire after the hop TTL (exporter ' +
      'default 1 h), run hashes after storage.runTtl (default 24 h)',
    "Redis CPU and commands per run cover everything on that Redis during the window: the Oamserver's commands, the " +
      "platform's hop writes and the bench's own polling (its share of commands in parentheses)",
    'the machine is a shared 2-vCPU VM: the Oamserver, Redis, the platform and the bench compete for its cores, and ' +
      'other work may run alongside; absolute figures move by tens of percent between runs',
  ];
}

async function main() {
  let options;
  try {
    options = parseTpArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n${TP_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(TP_USAGE);
    return 0;
  }
  const benchStarted = Date.now();
  const log = (message) =>
    console.log(
      `oamserver-throughput [${String(Math.round((Date.now() - benchStarted) / 1000)).padStart(3)} s]: ${message}`,
    );
  const out = outFile(options);
  const machine = machineInfo(REPO_DIR);
  const result = {
    machine,
    source: sourceFingerprint(REPO_DIR),
    config: {
      ...options,
      command: ['node bench/oamserver-throughput.mjs', ...process.argv.slice(2).filter((a) => a !== '--')].join(' '),
      notes: notes(),
    },
  };
  const failures = [];

  if (options.classifier) {
    log('the classifier alone');
    result.classifier = measureClassifier({
      seconds: options.classifierSeconds,
      warmupS: Math.min(1, options.classifierSeconds),
      instances: options.instances,
      mix: options.mix,
      log: (m) => log(`  ${m}`),
    });
    failures.push(...result.classifier.checks);
  }

  let redisServer;
  try {
    redisServer = await findOrStartRedis();
  } catch (error) {
    console.error(`oamserver-throughput: ${error.message}`);
    return 2;
  }
  const redis = new Redis(redisServer.url, { enableAutoPipelining: true });
  machine.redisVersion = (await redisInfo(redis)).version;
  let interrupted = false;
  let pendingCleanup;
  const ctx = {
    redis,
    redisUrl: redisServer.url,
    secret: `tp-${randomBytes(24).toString('base64url')}`,
    options,
    log,
    shouldStop: () => interrupted,
    onCleanup: (fn) => (pendingCleanup = fn),
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`oamserver-throughput: ${signal}, cleaning up`);
      void Promise.resolve(pendingCleanup?.())
        .catch(() => undefined)
        .finally(async () => {
          await redis.quit().catch(() => redis.disconnect());
          redisServer.stop();
          process.exit(130);
        });
    });
  }

  result.levels = [];
  try {
    for (const rate of options.rates) {
      const seconds = options.warmupS + options.durationS + options.timeoutS + 4;
      log(
        `offered load ${rate} runs/s (${rate * options.everyS} probes every ${options.everyS} s), ` +
          `~${seconds + 15} s; Redis ${redisServer.url}`,
      );
      const level = await measureLevel(rate, ctx);
      if (interrupted) return 130;
      result.levels.push(level);
      failures.push(...level.failures.map((f) => `${rate} runs/s: ${f}`));
      if (level.cpu) {
        log(
          `  ${level.classifiedPerSec} classified/s, ${level.cpu.oamserverUsPerRun} µs CPU/run ` +
            `(${level.cpu.oamserverCorePct} % of a core), lag p50 ${level.lagMs.p50} p99 ${level.lagMs.p99} ms, ` +
            `backlog max ${level.backlog.max}, Redis +${level.redis.usedMemoryDeltaPerRunInWindow} B/run`,
        );
      } else log(`  FAILED: ${level.failures.join('; ')}`);
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    redisServer.stop();
  }

  machine.loadAvg1mAtEnd = loadavg()[0];
  result.targets = targetVerdicts({ classifier: result.classifier, levels: result.levels, options });
  result.failures = failures;
  console.log(
    formatReport({
      machine,
      options,
      classifier: result.classifier,
      levels: result.levels,
      targets: result.targets,
      failures,
    }).join('\n'),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, await formatJson(result, out));
  console.log(`\nfull result: ${out}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
