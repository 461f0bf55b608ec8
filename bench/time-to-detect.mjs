// Time to detect: how long after a fault starts does the Oamserver open an incident for it?
// Starts the voicemail demo (3 instances of every service, by its own launcher) and an Oamserver
// with one probe, deposit-voicemail, at the interval under test; each trial makes recorder-2 slow
// at a random moment relative to the probe's schedule, polls /api/incidents until the incident is
// open, heals the instance and waits for the resolution. Writes every trial to
// bench/results/time-to-detect-<interval>-<openAfter>.json and prints a table. The formula the
// numbers are compared with is explained in docs/time-to-detect.md.
//   node bench/time-to-detect.mjs --interval 1s --open-after 2 --trials 10
import { machineInfo } from './lib/machine-info.mjs';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { deleteKeys, findOrStartRedis } from './lib/redis.mjs';
import { TTD_USAGE, intervalLabel, parseTtdArgs } from './lib/ttd-args.mjs';
import { recentRuns } from './lib/ttd-api.mjs';
import { oamserverConfig, runCli, startDemo, startOamserver } from './lib/ttd-platform.mjs';
import { formatTtdReport, summarizeTrials } from './lib/ttd-report.mjs';
import { FAULT, runTrial } from './lib/ttd-trial.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = dirname(BENCH_DIR);
const INSTANCES = 3;

/** A few ordinary (non-probe) deposits through every instance, so that no probe meets a cold one. */
async function warmUp(gatewayUrl) {
  for (let i = 0; i < 3 * INSTANCES; i++) {
    await fetch(`${gatewayUrl}/calls/4155550100/voicemail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ caller: '4155550199' }),
    })
      .then((res) => res.text())
      .catch(() => undefined);
  }
}

async function main() {
  let options;
  try {
    options = parseTtdArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n${TTD_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(TTD_USAGE);
    return 0;
  }
  const interval = intervalLabel(options.intervalMs);
  const out = options.out
    ? resolve(options.out)
    : join(BENCH_DIR, 'results', `time-to-detect-${interval}-${options.openAfter}.json`);
  let redisServer;
  try {
    redisServer = await findOrStartRedis();
  } catch (error) {
    console.error(`time-to-detect: ${error.message}`);
    return 2;
  }
  const prefix = `hoptrace-ttd:${randomBytes(4).toString('hex')}:`;
  const secret = `ttd-${randomBytes(24).toString('base64url')}`;
  const redis = new Redis(redisServer.url);
  const machine = machineInfo(BENCH_DIR);
  const config = {
    interval,
    intervalMs: options.intervalMs,
    instances: INSTANCES,
    openAfter: options.openAfter,
    resolveAfter: options.resolveAfter,
    trials: options.trials,
    fault: FAULT,
    faultInstance: 'recorder-2',
    budget: { total: '800ms', hops: { recorder: '200ms' } },
    pollMs: 100,
    // Before each trial: this many classified runs in a row ok, and no incident open.
    healthyRuns: options.intervalMs < 5000 ? 6 : 3,
  };
  console.log(
    `time-to-detect: every ${interval}, openAfter ${options.openAfter}, ${options.trials} trials; Redis ` +
      `${redisServer.url}, key prefix ${prefix}`,
  );

  let demo;
  let oamserver;
  let cleaned;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await oamserver?.stop().catch(() => undefined);
      await demo?.launcher.stop().catch(() => undefined);
      const deleted = await deleteKeys(redis, prefix).catch(() => 0);
      console.log(`time-to-detect: stopped the Oamserver and the demo, deleted ${deleted} keys under ${prefix}`);
      await redis.quit().catch(() => redis.disconnect());
      redisServer.stop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`time-to-detect: ${signal}, cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const trials = [];
  const save = (extra = {}) => {
    machine.loadAvg1mAtEnd = loadavg()[0];
    const summary = summarizeTrials(trials, config);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ machine, config, summary, trials, ...extra }, null, 2)}\n`);
    return summary;
  };
  let extra;
  try {
    demo = await startDemo({
      repoDir: REPO_DIR,
      prefix,
      instances: INSTANCES,
      redisUrl: redisServer.url,
      secret,
    });
    console.log(`time-to-detect: demo up on ports ${demo.basePort}…${demo.basePort + 6 * INSTANCES - 1}`);
    await warmUp(demo.urls.gateway[0]);
    oamserver = await startOamserver({
      repoDir: REPO_DIR,
      configYaml: oamserverConfig({
        prefix,
        gatewayUrl: demo.urls.gateway[0],
        intervalLabel: interval,
        openAfter: options.openAfter,
        resolveAfter: options.resolveAfter,
      }),
      redisUrl: redisServer.url,
      secret,
    });
    console.log(`time-to-detect: Oamserver at ${oamserver.url}`);
    const ctx = { ...config, urls: demo.urls, oamserver, captureCli: true };
    for (let i = 0; i < options.trials; i++) {
      const trial = await runTrial(ctx, i);
      trials.push(trial);
      console.log(
        `[${i + 1}/${options.trials}] ` +
          (trial.ttdSeenMs === undefined
            ? `not detected: ${trial.error}`
            : `TTD ${trial.ttdSeenMs} ms seen, ${trial.ttdOpenedMs} ms opened, ${trial.runsToOpen} runs ` +
              `(${trial.badVisitsToOpen} on recorder-2); resolved after ${trial.resolveSeenMs ?? trial.resolveError} ms` +
              (trial.openedBeforeFault ? ' (SPOILED: the incident was open before the fault)' : '')) +
          (trial.otherIncidents.length ? `; other incidents: ${JSON.stringify(trial.otherIncidents)}` : ''),
      );
      save();
    }
    const cliAll = await runCli(oamserver, ['incidents', '--all', '--limit', '5']).catch((e) => e.message);
    const runs = await recentRuns(oamserver.url, 1000);
    extra = { cliAll, verdicts: countBy(runs.map((r) => r.verdict ?? r.state)) };
  } catch (error) {
    console.error(`time-to-detect: ${error.message}`);
    extra = { error: error.message, oamserverOutput: oamserver?.server.output().slice(-4000) };
  } finally {
    await cleanup();
  }
  if (trials.length === 0) {
    // Nothing measured: keep whatever result file is there.
    console.error(`time-to-detect: no trial ran; ${out} left as it was`);
    return 1;
  }
  const summary = save(extra);
  console.log(formatTtdReport({ summary, config, machine }).join('\n'));
  console.log(`\nfull result: ${out}`);
  return extra?.error ? 1 : 0;
}

function countBy(values) {
  const counts = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

process.exitCode = await main();
