// `pnpm bench`: what the hoptrace drop-in costs an Express 5 service, then how fast the dashboard's
// API answers with a big history (bench/dashboard-api.mjs) and whether the dashboard stays smooth
// under live runs in a browser (bench/dashboard-live.mjs), then what the Oamserver costs per probe
// run (bench/oamserver-throughput.mjs), all but the first run as child processes. The drop-in
// bench runs two handlers (lib/handlers.mjs: the order-quote app and a minimal one) in eight modes
// each (lib/modes.mjs: bare, plain OpenTelemetry, hoptrace full and probe-only, each with ordinary
// traffic and with every request a probe) under the same autocannon load, alternating their order
// over rounds, and reports each against `bare` and `otel` of the same handler and run. Exits 1 when
// a correctness check fails (errors under load, missing or unexpected hops), never on speed.
import { machineInfo } from './lib/machine-info.mjs';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { USAGE, parseArgs } from './lib/args.mjs';
import { priceList } from './lib/catalog.mjs';
import { checkRun } from './lib/checks.mjs';
import { handlersNamed } from './lib/handlers.mjs';
import { measureMode } from './lib/measure-mode.mjs';
import { MODES, roundOrder } from './lib/modes.mjs';
import { PROBE_POOL_SIZE } from './lib/probe-headers.mjs';
import { freePort } from './lib/ports.mjs';
import { deleteKeys, findOrStartRedis } from './lib/redis.mjs';
import { formatReport } from './lib/report.mjs';
import { summarize } from './lib/summary.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Benches run as child processes that `--only` also takes, besides lib/args.mjs's BENCHES:
 * name → script. `pnpm bench` alone runs oamserver-throughput last (its part 1 is the classifier).
 */
const MORE_BENCHES = { 'oamserver-throughput': 'oamserver-throughput.mjs', classifier: 'classifier.mjs' };
const MORE_USAGE = `Also:
  --only oamserver-throughput   what the Oamserver costs per probe run and whether it keeps up
                   (bench/oamserver-throughput.mjs: the classifier alone, then loads of 20, 50, 100
                   runs/s; about 4 minutes, --quick about 3; its own options: node
                   bench/oamserver-throughput.mjs --help)
  --only classifier  the classifier alone (bench/classifier.mjs, about 30 s)`;

/** Takes `--only NAME` for a bench of MORE_BENCHES out of argv: { argv, only }. */
function takeMoreBench(argv) {
  const rest = [];
  let only;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = inline ?? argv[i + 1];
    if (flag === '--only' && value in MORE_BENCHES) {
      only = value;
      if (inline === undefined) i++;
    } else rest.push(argv[i]);
  }
  return { argv: rest, only };
}

function notes(options) {
  return [
    "modes: bare = node app.js; otel = plain OpenTelemetry (bench/otel-only/: the drop-in's four instrumentations " +
      'with its options, W3C propagators, a BatchSpanProcessor with a no-op exporter); full and probe-only = the ' +
      'drop-in with HOPTRACE_MODE set. otel and full sample with OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG ' +
      '0.01; full has no OTLP endpoint, so its sampled ordinary spans are not exported at all',
    'ordinary traffic (bare, otel, full, probe-only) carries a trickle of probes: the first request after each full ' +
      "second since the last probe has probe headers, none in a run's last second (so none is in flight when the " +
      'window closes); bare gets them too, so that every mode answers the same requests. "*-probes" modes: every ' +
      'request a probe; for otel that is a sampled traceparent (the baggage is only propagated)',
    `probes: ${PROBE_POOL_SIZE} pre-signed runs (distinct token + trace id each) reused round-robin; the ` +
      `verifier caches per (token, trace) in an LRU of 256, smaller than the pool, so every request pays one full ` +
      `token check (HMAC) and its later spans hit the cache, as a real probe hop does`,
    'probe hop cost = CPU µs/req of the every-request-a-probe mode minus that of the same setup with ordinary ' +
      'traffic (medians over rounds; same-round differences as the noise band): cpu(full-probes) − cpu(full); ' +
      'cpu(probe-only-probes) − cpu(bare), since probe-only leaves ordinary traffic as bare would; ' +
      'cpu(otel-probes) − cpu(otel) for comparison; cpu(full-probes) − cpu(otel-probes) is what hoptrace adds to ' +
      'a probe request beyond recording its spans',
    'Redis-down mode: the exporter points at a closed port; the app keeps its own (working) Redis',
    'load and service share the machine: closed-loop load at saturation, so latency is mostly queueing and ' +
      'p99 follows throughput; CPU µs/req is the service process CPU time per answered request',
    `the machine is shared and noisy: compare ratios, not absolute numbers, and read the same-round ratios ` +
      `as the noise band (${options.rounds} rounds)`,
  ];
}

/** The Node binary the services run on, and its version; throws when it cannot be run. */
function serviceNode(path) {
  const node = path ? resolve(path) : process.execPath;
  try {
    return { node, version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim() };
  } catch (error) {
    throw new Error(`--node ${path}: cannot run it (${error.message})`, { cause: error });
  }
}

/**
 * Where the result goes: --out, else latest.json, or latest-node<major>.tmp.json for another Node
 * (so that a Node 22 run does not overwrite the Node 20 one; git ignores both).
 */
function outFile(options, version) {
  if (options.out) return resolve(options.out);
  const major = /^v(\d+)/.exec(version)?.[1];
  return join(BENCH_DIR, 'results', options.node ? `latest-node${major}.tmp.json` : 'latest.json');
}

/** The drop-in's overhead: the handlers, their modes and rounds, the report. Resolves to its exit code. */
async function dropInOverhead(options) {
  let service;
  try {
    service = serviceNode(options.node);
  } catch (error) {
    console.error(`bench: ${error.message}`);
    return 2;
  }
  let redisServer;
  try {
    redisServer = await findOrStartRedis();
  } catch (error) {
    console.error(`bench: ${error.message}`);
    return 2;
  }
  const redis = new Redis(redisServer.url);
  const prefix = `hoptrace-bench:${randomBytes(4).toString('hex')}:`;
  const handlers = handlersNamed(options.handlers);
  const ctx = {
    ...options,
    node: service.node,
    redis,
    redisUrl: redisServer.url,
    closedRedisUrl: `redis://127.0.0.1:${await freePort()}`,
    secret: process.env.HOPTRACE_SECRET ?? `bench-${randomBytes(16).toString('hex')}`,
    prefix,
    catalogKey: `${prefix}catalog`,
  };
  const machine = { ...machineInfo(BENCH_DIR), serviceNode: service.version, serviceNodePath: service.node };
  const total = handlers.length * options.rounds * MODES.length;
  const perRunS = options.durationS + options.warmupS + 1;
  console.log(
    `bench: ${total} runs of ~${perRunS} s (≈${Math.ceil((total * perRunS) / 60)} min), services on Node ` +
      `${service.version}, Redis ${redisServer.url}, key prefix ${prefix}`,
  );

  const runs = [];
  const errors = [];
  const done = () => runs.length + errors.length;
  try {
    await redis.set(ctx.catalogKey, JSON.stringify(priceList()), 'PX', 3_600_000);
    for (const handler of handlers) {
      for (let round = 0; round < options.rounds; round++) {
        for (const mode of roundOrder(round)) {
          const what = `${handler.id} round ${round + 1} ${mode.id}`;
          let run;
          try {
            run = await measureMode(mode, handler, round, ctx);
          } catch (error) {
            errors.push(`${handler.id} ${mode.id} (round ${round + 1}): could not be measured: ${error.message}`);
            console.log(`[${done()}/${total}] ${what}: FAILED (${error.message})`);
            continue;
          }
          runs.push(run);
          console.log(
            `[${done()}/${total}] ${what.padEnd(38)} ${run.reqPerSec.toFixed(0).padStart(6)} req/s, ` +
              `p99 ${run.latencyMs.p99?.toFixed(2)} ms, ${run.cpuUsPerReq?.toFixed(0)} µs CPU/req, ` +
              `${run.errors + run.timeouts} errors, ${run.non2xx} non-2xx, ${run.probesSent} probes` +
              (run.hops ? `, hops ${run.hops.written} written / ${run.hops.droppedTotal} dropped` : ''),
          );
        }
      }
    }
  } finally {
    const deleted = await deleteKeys(redis, prefix);
    console.log(`bench: deleted ${deleted} keys under ${prefix}`);
    await redis.quit();
    redisServer.stop();
  }

  machine.loadAvg1mAtEnd = loadavg()[0];
  const failures = [...errors, ...runs.flatMap(checkRun)];
  const summary = summarize(runs, handlers);
  const config = {
    durationS: options.durationS,
    warmupS: options.warmupS,
    rounds: options.rounds,
    connections: options.connections,
    handlers: options.handlers,
    quick: options.quick,
    command: ['node bench/run.mjs', ...process.argv.slice(2).filter((a) => a !== '--')].join(' '),
    notes: notes(options),
  };
  console.log(formatReport({ summary, config, machine, failures }).join('\n'));

  const out = outFile(options, service.version);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ machine, config, summary, runs, failures }, null, 2)}\n`);
  console.log(`\nfull result: ${out}`);
  return failures.length === 0 ? 0 : 1;
}

/**
 * A bench script of bench/ as a child process (`--quick` passed on), its output on ours. Ctrl-C
 * reaches it too (same process group) and a SIGTERM is passed on: this process waits while it
 * cleans up.
 */
function childBench(script, options) {
  const args = [join(BENCH_DIR, script), ...(options.quick ? ['--quick'] : [])];
  let child;
  const ignore = () => undefined;
  const passOn = () => child?.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', passOn);
  return new Promise((resolvePromise) => {
    child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`bench: could not start ${script}: ${error.message}`);
      resolvePromise(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', passOn);
      resolvePromise(code ?? (signal ? 130 : 1));
    });
  });
}

async function main() {
  let options;
  const more = takeMoreBench(process.argv.slice(2));
  try {
    options = parseArgs(more.argv);
  } catch (error) {
    console.error(`${error.message}\n${USAGE}\n${MORE_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(`${USAGE}\n${MORE_USAGE}`);
    return 0;
  }
  if (more.only) return childBench(MORE_BENCHES[more.only], options);
  const runAll = !process.argv.slice(2).some((a) => a === '--only' || a.startsWith('--only='));
  const codes = [];
  if (options.benches.includes('drop-in')) codes.push(await dropInOverhead(options));
  if (options.benches.includes('dashboard-api')) {
    if (codes.length > 0)
      console.log('\nbench: next, the dashboard API with a big history (bench/dashboard-api.mjs)\n');
    codes.push(await childBench('dashboard-api.mjs', options));
  }
  if (options.benches.includes('dashboard-live')) {
    if (codes.length > 0)
      console.log('\nbench: next, the dashboard in a browser under live runs (bench/dashboard-live.mjs)\n');
    codes.push(await childBench('dashboard-live.mjs', options));
  }
  if (runAll) {
    console.log("\nbench: next, the Oamserver's throughput and memory (bench/oamserver-throughput.mjs)\n");
    codes.push(await childBench('oamserver-throughput.mjs', options));
  }
  return Math.max(...codes);
}

process.exitCode = await main();
