// One measured run of one mode on one handler: start the service, warm it up, load it, read what
// it used and what its instrumentation counted, stop it.
import http from 'node:http';
import { loadavg } from 'node:os';
import { runLoad } from './load.mjs';
import { isHoptrace, modeEnv } from './modes.mjs';
import { createProbePool } from './probe-headers.mjs';
import { cpuTimeUs, peakRssMiB } from './proc-stats.mjs';
import { countHopRecords } from './redis.mjs';
import { startService } from './start-service.mjs';
import { trafficForRun } from './traffic.mjs';

/** GET /_stats on a fresh connection (a pooled keep-alive socket may be closed by the server meanwhile). */
function fetchStats(url, flush) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/_stats${flush ? '?flush=1' : ''}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET /_stats answered ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body));
      });
    });
    req.on('error', reject);
  });
}

/** The drop-in's counters of the measured window: `after` minus `before`. */
function hopDelta(before, after) {
  const minus = (a = {}, b = {}) =>
    Object.fromEntries(
      Object.keys(a)
        .map((k) => [k, a[k] - (b[k] ?? 0)])
        .filter(([, n]) => n !== 0),
    );
  return {
    written: after.written - before.written,
    duplicates: after.duplicates - before.duplicates,
    droppedTotal: after.droppedTotal - before.droppedTotal,
    dropped: minus(after.dropped, before.dropped),
    rejectedTokens: minus(after.rejectedTokens, before.rejectedTokens),
    probeCandidates: after.probeCandidates - before.probeCandidates,
    queuedAtEnd: after.queued,
  };
}

/**
 * Runs `mode` on `handler` once; `ctx` holds the shared settings (node binary, redis, secret,
 * prefixes, load options).
 */
export async function measureMode(mode, handler, round, ctx) {
  const keyPrefix = `${ctx.prefix}${handler.id}-${mode.id}-r${round}:`;
  const env = modeEnv(mode, handler, { ...ctx, keyPrefix });
  const service = await startService({ node: ctx.node, preload: mode.preload, app: handler.app, env });
  const hoptrace = isHoptrace(mode);
  try {
    // Every mode draws its probes from a pool (ordinary traffic sends a trickle of them).
    const pool = createProbePool({ secret: ctx.secret });
    const load = (durationS) => {
      const traffic = trafficForRun(mode.traffic, pool, durationS);
      const run = { url: service.url, connections: ctx.connections, durationS, request: handler.request };
      return runLoad({ ...run, extraHeaders: traffic.next }).then((result) => ({
        ...result,
        probesSent: traffic.probesSent(),
      }));
    };
    await load(ctx.warmupS);
    const before = mode.preload ? await fetchStats(service.url, true) : null;
    const loadAvg1m = loadavg()[0];
    const cpuBefore = cpuTimeUs(service.pid);
    const result = await load(ctx.durationS);
    const cpuAfter = cpuTimeUs(service.pid);
    // Peak memory before /_stats, whose flush is not part of the measured window.
    const peakRss = peakRssMiB(service.pid);
    const base = { mode: mode.id, handler: handler.id, round, ...result };
    const exitedDuringRun = service.exited();
    if (exitedDuringRun) return { ...base, exitedDuringRun, serviceStderr: service.stderr() };
    const after = mode.preload ? await fetchStats(service.url, true) : null;
    return {
      ...base,
      cpuUsPerReq: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / result.requests,
      peakRssMiB: peakRss,
      loadAvg1m,
      probePoolSize: pool.size,
      instrumentationMode: after?.mode ?? null,
      hops: hoptrace ? hopDelta(before, after) : null,
      hopsWrittenSinceStart: hoptrace ? after.written : null,
      hopRecordsInRedis: hoptrace ? (await countHopRecords(ctx.redis, keyPrefix)).records : null,
      spansExported: after?.spansExported === undefined ? null : after.spansExported - before.spansExported,
      serviceStderr: service.stderr().slice(-2000),
    };
  } catch (error) {
    await service.waitForExit(500);
    const exited = service.exited();
    const how = exited ? `; the service had exited (${JSON.stringify(exited)})` : '';
    throw new Error(`${error.message}${how}; its stderr ends with: ${service.stderr().slice(-1000) || '(nothing)'}`, {
      cause: error,
    });
  } finally {
    await service.stop();
  }
}
