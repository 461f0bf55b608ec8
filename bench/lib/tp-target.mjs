// The platform the throughput bench's Oamserver probes, in one process of its own (so that its CPU
// is not the Oamserver's): an HTTP endpoint the probes' trigger calls, standing in for a gateway
// and the four services behind it, with many instances each (lib/tp-hops.mjs). For every trigger
// it picks an outcome from the mix, answers after the gateway's synthetic duration, and writes
// the run's hop records into Redis the way five services' drop-ins would: one write-hops script
// call per hop (the exporter's own code and Lua, exporter/dist/write-hops-script.js), each when
// its hop's span ended plus up to the span processor's 200 ms batching delay.
//   forked by bench/oamserver-throughput.mjs; options as JSON in argv[2]:
//   { redisUrl, keyPrefix, instances, mix, hopTtlMs }
// IPC: sends { type: 'ready', port }; answers { type: 'stats' } with its counters.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisKeys } from '@hoptrace/core';
import { instancePicker, outcomePicker, runHops } from './tp-hops.mjs';

const REPO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
// The drop-in's exporter, as built: its Redis client settings and its write-hops script.
const { createHopRedisClient } = require(join(REPO_DIR, 'exporter', 'dist', 'redis-client.js'));
const { defineWriteHops } = require(join(REPO_DIR, 'exporter', 'dist', 'write-hops-script.js'));
const { REDIS_HOP_EXPORTER_DEFAULTS } = require(join(REPO_DIR, 'exporter', 'dist', 'redis-hop-exporter.js'));

const options = JSON.parse(process.argv[2]);
const keys = createRedisKeys(options.keyPrefix);
const client = createHopRedisClient(options.redisUrl, { commandTimeoutMs: 2000 });
const writeHops = defineWriteHops(client);
const hopTtlMs = options.hopTtlMs ?? REDIS_HOP_EXPORTER_DEFAULTS.hopTtlMs;
const maxHops = REDIS_HOP_EXPORTER_DEFAULTS.maxHopsPerRun;
const pickOutcome = outcomePicker(options.mix);
const pickInstance = instancePicker(options.instances);
/** The span processor's batching delay: a hop reaches Redis up to this long after its span ended. */
const BATCH_DELAY_MS = 200;

const stats = {
  triggers: 0,
  notProbes: 0,
  byOutcome: { ok: 0, slow: 0, error: 0, lost: 0 },
  hopsWritten: 0,
  hopsDuplicate: 0,
  hopsCapped: 0,
  hopWriteErrors: 0,
  lastError: undefined,
  hopWritesInFlight: 0,
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const TOKEN =
  /(?:^|,)\s*hoptrace\.probe=v1\.[A-Za-z0-9_-]{1,16}\.([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.([A-Za-z0-9_-]{1,64})\./;

function writeLater(hop, atMs) {
  stats.hopWritesInFlight++;
  setTimeout(
    () => {
      writeHops(keys.runHops(hop.runId), hopTtlMs, maxHops, [hop.spanId, JSON.stringify(hop)]).then(
        (r) => {
          stats.hopWritesInFlight--;
          stats.hopsWritten += r.written;
          stats.hopsDuplicate += r.duplicates;
          stats.hopsCapped += r.capped;
        },
        (error) => {
          stats.hopWritesInFlight--;
          stats.hopWriteErrors++;
          stats.lastError = error.message;
        },
      );
    },
    Math.max(0, atMs - Date.now()),
  );
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const arrivedMs = Date.now();
    const parent = TRACEPARENT.exec(req.headers.traceparent ?? '');
    const token = TOKEN.exec(decodeURIComponent(req.headers.baggage ?? ''));
    if (!parent || !token) {
      stats.notProbes++;
      res.writeHead(400).end('not a probe');
      return;
    }
    stats.triggers++;
    const outcome = pickOutcome();
    stats.byOutcome[outcome]++;
    const made = runHops({
      runId: token[2],
      probe: token[1],
      traceId: parent[1],
      triggerSpanId: parent[2],
      startMs: arrivedMs,
      outcome,
      pickInstance,
    });
    for (const hop of made.hops) {
      const endMs = hop.startUs / 1000 + hop.durationUs / 1000;
      writeLater(hop, endMs + Math.random() * BATCH_DELAY_MS);
    }
    setTimeout(
      () => {
        res.writeHead(made.status, { 'content-type': 'application/json' });
        res.end(made.status === 200 ? '{"order":"accepted"}' : '{"error":"upstream failed"}');
      },
      Math.max(0, arrivedMs + made.entryDurationMs - Date.now()),
    );
  });
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port });
});

process.on('message', (message) => {
  if (message?.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send({ type: 'stats', stats: { ...stats, cpuUs: cpu.user + cpu.system, rss: process.memoryUsage().rss } });
  }
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections?.();
  // Hops still waiting for their batching delay go out first, as a service's shutdown flushes them.
  const deadline = Date.now() + 3000;
  while (stats.hopWritesInFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await client.quit().catch(() => client.disconnect());
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('disconnect', stop);
