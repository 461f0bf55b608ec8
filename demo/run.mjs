// The voicemail demo, all of it: finds (or starts) Redis, starts every service instance with the
// hoptrace drop-in (the call edge also on a SIP port), then the Oamserver, prints where everything is, and stops it all on Ctrl-C.
//   node demo/run.mjs [--instances N] [--base-port P] [--no-oamserver] [--verbose]
// A service can run with a skewed clock (under faketime): NOTIFIER_CLOCK_OFFSET=+30s.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, UsageError, parseLauncherArgs } from './lib/args.mjs';
import {
  ClockOffsetError,
  clockOffsets,
  faketimeInstalled,
  faketimeMissingMessage,
  withClockOffset,
} from './lib/clock-offset.mjs';
import { OAMSERVER_PORT, OAMSERVER_URL, oamserverCli, oamserverCommand } from './lib/oamserver.mjs';
import { chooseEventsTransport } from './lib/brokers.mjs';
import { describeModes, ignoredFaultVariables, instanceEnv, planInstances } from './lib/plan.mjs';
import { portIsFree, udpPortIsFree } from './lib/ports.mjs';
import { probeConfigFor } from './lib/probe-config.mjs';
import { Supervisor, describeExit, waitHealthy } from './lib/processes.mjs';
import { RedisUnavailable, findOrStartRedis } from './lib/redis.mjs';
import { instanceTable, usageHints } from './lib/report.mjs';

const demoDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(demoDir);
const stateDir = join(repoDir, '.demo');

/** A startup problem the user can fix: printed as it is, exit code 1. */
class StartupError extends Error {}

let redis;
let supervisor;
let shuttingDown = false;

async function shutdown(exitCode) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (supervisor) console.log('\nstopping the demo...');
  await supervisor?.stopAll();
  await redis?.stop();
  if (supervisor) console.log('stopped');
  process.exit(exitCode);
}

function onUnexpectedExit(child, exit) {
  console.error(`\n✗ ${describeExit(child, exit)}`);
  if (child.name === 'oamserver') {
    console.error('the Oamserver is gone: stopping the demo');
    void shutdown(1);
  } else {
    console.error('the rest of the demo keeps running (runs through it will show the missing hop)');
  }
}

/** `ports`: `{ port, owner, udp }`; a UDP port (the call edge's SIP) is checked as one. */
async function assertPortsFree(ports) {
  const taken = [];
  for (const { port, owner, udp } of ports) {
    if (!(await (udp ? udpPortIsFree(port) : portIsFree(port)))) taken.push(`${port}${udp ? '/udp' : ''} (${owner})`);
  }
  if (taken.length > 0) {
    throw new StartupError(`port(s) in use: ${taken.join(', ')}. Stop what uses them, or pick another --base-port.`);
  }
}

/** Writes REDIS_URL and HOPTRACE_SECRET for other shells (the CLI needs the same ones). */
function writeEnvFile(redisUrl, secret) {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, 'demo.env');
  writeFileSync(file, `REDIS_URL=${redisUrl}\nHOPTRACE_SECRET=${secret}\n`, { mode: 0o600 });
  return file;
}

/** How to call the call edge over SIP (with sipp, Debian's sip-tester). */
function sipHints(plan) {
  const edge = plan.find((i) => i.sipTarget);
  const scenario = relative(process.cwd(), join(repoDir, 'test', 'fixtures', 'sipp', 'diverted-call.xml'));
  return [
    '',
    `call edge (SIP)   udp ${edge.sipTarget}     (sipp: apt-get install sip-tester)`,
    `  a plain call      sipp -sn uac -s 4155550100 -m 1 ${edge.sipTarget}`,
    `  leave a message   sipp -sf ${scenario} -key caller 4155550199 -s 4155550100 -m 1 ${edge.sipTarget}`,
    `  its counters      curl ${edge.url}/sip/stats`,
  ].join('\n');
}

async function main() {
  const options = parseLauncherArgs(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  if (!existsSync(join(repoDir, 'packages', 'instrument', 'dist', 'register.mjs'))) {
    throw new StartupError('hoptrace is not built: run `pnpm build` first (`pnpm demo` does it for you)');
  }
  for (const name of ignoredFaultVariables(process.env)) {
    console.warn(`note: ${name} is ignored by the launcher; set it per service, e.g. RECORDER_${name}`);
  }
  const plan = planInstances(options);
  const clock = clockOffsets(process.env, plan);
  for (const note of clock.notes) console.warn(`note: ${note}`);
  if (clock.offsets.size > 0 && !faketimeInstalled()) throw new StartupError(faketimeMissingMessage(clock.variables));
  const cli = options.oamserver ? oamserverCli(repoDir) : undefined;
  const ports = plan.map((i) => ({ port: i.port, owner: i.id }));
  for (const i of plan) if (i.sipPort !== undefined) ports.push({ port: i.sipPort, owner: `${i.id} SIP`, udp: true });
  if (cli) ports.push({ port: OAMSERVER_PORT, owner: 'oamserver' });
  await assertPortsFree(ports);

  redis = await findOrStartRedis(process.env);
  // A fresh secret per run unless one is given: probes are only trusted inside this demo.
  const secret = process.env.HOPTRACE_SECRET || `demo-${randomBytes(24).toString('base64url')}`;
  console.log(`hoptrace voicemail demo: Redis ${redis.url} (${redis.origin})`);
  console.log(describeModes(options.mode));
  const events = await chooseEventsTransport(process.env).catch((error) => {
    throw new StartupError(error.message);
  });
  console.log(events.line);

  supervisor = new Supervisor({ verbose: options.verbose, onUnexpectedExit });
  const started = plan.map((instance) => {
    const node = {
      args: ['--import', '@hoptrace/instrument/register', join('services', `${instance.service}.js`)],
      env: instanceEnv(instance, plan, {
        env: process.env,
        redisUrl: redis.url,
        secret,
        verbose: options.verbose,
        mode: options.mode,
        events,
      }),
    };
    const offset = clock.offsets.get(instance.id);
    const command = offset ? withClockOffset(offset, node) : node;
    // The drop-in resolves from demoDir, as it would from a user's service folder.
    return { instance, child: supervisor.start({ name: instance.id, cwd: demoDir, ...command }) };
  });
  // Every instance starts at once and loads the OpenTelemetry SDK: with --instances 3 on a small
  // machine, 18 processes share a couple of cores, so the wait grows with their number.
  const healthTimeoutMs = Math.max(20_000, plan.length * 2_500);
  await Promise.all(
    started.map(({ instance, child }) => waitHealthy(child, `${instance.url}/healthz`, healthTimeoutMs)),
  );

  let oamserverUrl;
  let configPath;
  if (!options.oamserver) {
    console.log('\nOamserver: not started (--no-oamserver)');
  } else if (!cli) {
    console.log('\nOamserver: not built yet (no packages/oamserver/dist/cli/main.js); running the services only');
  } else {
    configPath = probeConfigFor({
      demoDir,
      stateDir,
      gatewayUrl: plan[0].url,
      sipTarget: plan.find((i) => i.sipTarget)?.sipTarget,
      keyPrefix: process.env.HOPTRACE_KEY_PREFIX,
    });
    const command = oamserverCommand({ cli, configPath, env: process.env, redisUrl: redis.url, secret });
    const child = supervisor.start({ ...command, cwd: repoDir });
    await waitHealthy(child, `${OAMSERVER_URL}/healthz`, 30_000);
    oamserverUrl = OAMSERVER_URL;
  }

  // Only a demo with its Oamserver is the one a user drives from another shell: services-only
  // launches (the tests start many) leave the file of the running demo alone.
  const envFile = options.oamserver ? writeEnvFile(redis.url, secret) : undefined;
  // The dashboard's address first (in usageHints): it is what to open.
  console.log(
    usageHints({ plan, oamserverUrl, configPath, repoDir, envFile, instances: instanceTable(plan, clock.offsets) }),
  );
  console.log(sipHints(plan));
  console.log(oamserverUrl ? `\ndemo is up: open ${oamserverUrl}/ ; Ctrl-C stops it` : '\ndemo is up; Ctrl-C stops it');
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (error) => {
  if (error instanceof UsageError || error instanceof ClockOffsetError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  const known = error instanceof StartupError || error instanceof RedisUnavailable;
  console.error(`demo: ${known ? error.message : (error.stack ?? error.message)}`);
  await shutdown(1);
});
