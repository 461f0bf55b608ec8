// The quickstart: two services with the hoptrace drop-in (front -> back), and a probe every
// 2 seconds whose hop records are read back from Redis and printed. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { PROBE_BAGGAGE_KEY, decodeHopRecord, newRunId, parseProbeKeyRing, signProbeToken } from '@hoptrace/core';
import { findOrStartRedis } from './redis.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const secret = process.env.HOPTRACE_SECRET ?? `quickstart-${randomBytes(12).toString('hex')}`;
const prefix = 'hoptrace-quickstart:';
const children = [];

function startService(name, env) {
  const child = spawn(process.execPath, ['--import', '@hoptrace/instrument/register', 'service.js'], {
    cwd: here,
    env: { ...process.env, ...env, OTEL_SERVICE_NAME: name, HOPTRACE_SECRET: secret, HOPTRACE_KEY_PREFIX: prefix, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.stdout.once('data', (line) => resolve(`http://127.0.0.1:${JSON.parse(String(line)).port}`));
  });
}

async function fireProbe(frontUrl, redis, keys) {
  const traceId = randomBytes(16).toString('hex');
  const runId = newRunId();
  const token = signProbeToken({ probe: 'quickstart', runId, expiresAtMs: Date.now() + 30_000 }, traceId, keys);
  const res = await fetch(`${frontUrl}/hello`, {
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, baggage: `${PROBE_BAGGAGE_KEY}=${token}` },
  });
  await res.arrayBuffer();
  await new Promise((r) => setTimeout(r, 500)); // hops are flushed every 200 ms
  const hops = Object.values(await redis.hgetall(`${prefix}run:{${runId}}:hops`))
    .map(decodeHopRecord)
    .sort((a, b) => a.startUs - b.startUs);
  console.log(`run ${runId}  trace ${traceId}  HTTP ${res.status}  ${hops.length} hop(s)`);
  for (const hop of hops) {
    console.log(
      `  ${hop.service.padEnd(6)} ${hop.instance.padEnd(22)} ${hop.operation.padEnd(12)} ${(hop.durationUs / 1000).toFixed(1).padStart(6)} ms  ${hop.status}`,
    );
  }
}

async function main() {
  const redisServer = await findOrStartRedis();
  const stop = () => {
    for (const child of children) child.kill();
    redisServer.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const back = await startService('back', { REDIS_URL: redisServer.url });
  const front = await startService('front', { REDIS_URL: redisServer.url, NEXT_URL: `${back}/hello` });
  console.log(`hoptrace quickstart: Redis ${redisServer.url}, front ${front}, back ${back}`);
  console.log('a probe every 2 s through front -> back; ordinary requests (curl ' + front + '/hello) write nothing. Ctrl-C stops.\n');
  const redis = new Redis(redisServer.url);
  const keys = parseProbeKeyRing(secret);
  for (;;) {
    await fireProbe(front, redis, keys).catch((error) => console.error(`probe failed: ${error.message}`));
    await new Promise((r) => setTimeout(r, 2000));
  }
}

main().catch((error) => {
  console.error(`quickstart: ${error.message}`);
  for (const child of children) child.kill();
  process.exit(1);
});
