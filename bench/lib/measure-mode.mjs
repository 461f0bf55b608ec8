// One measured run of one mode: start the service, warm it up, load it, read what it used and
// what the drop-in counted, stop it.
import http from 'node:http';
import { loadavg } from 'node:os';
import { runLoad } from './load.mjs';
import { modeEnv } from './modes.mjs';
import { createProbePool } from './probe-headers.mjs';
import { cpuTimeUs, peakRssMiB } from './proc-stats.mjs';
import { countHopRecords } from './redis.mjs';
import { startService } from './start-service.mjs';

const NO_HEADERS = {};

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

/** The hop counters of the measured window: `after` minus `before`. */
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
    queuedAtEnd: after.queued,
  };
}

/** Runs `mode` once; `ctx` holds the shared settings (redis, secret, prefixes, load options). */
export async function measureMode(mode, round, ctx) {
  const keyPrefix = `${ctx.prefix}${mode.id}-r${round}:`;
  const env = modeEnv(mode, { ...ctx, keyPrefix });
  const service = await startService({ instrumented: mode.instrumented, env });
  try {
    const pool = mode.probes ? createProbePool({ secret: ctx.secret }) : undefined;
    const load = { url: service.url, connections: ctx.connections, extraHeaders: pool ? pool.next : () => NO_HEADERS };
    await runLoad({ ...load, durationS: ctx.warmupS });
    const before = mode.instrumented ? await fetchStats(service.url, true) : null;
    const loadAvg1m = loadavg()[0];
    const cpuBefore = cpuTimeUs(service.pid);
    const result = await runLoad({ ...load, durationS: ctx.durationS });
    const cpuAfter = cpuTimeUs(service.pid);
    // Peak memory before /_stats, which loads the hoptrace package in the baseline process.
    const peakRss = peakRssMiB(service.pid);
    const exitedDuringRun = service.exited();
    if (exitedDuringRun) return { mode: mode.id, round, ...result, exitedDuringRun, serviceStderr: service.stderr() };
    const after = mode.instrumented ? await fetchStats(service.url, true) : null;
    return {
      mode: mode.id,
      round,
      ...result,
      cpuUsPerReq: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / result.requests,
      peakRssMiB: peakRss,
      loadAvg1m,
      probePoolSize: pool?.size ?? 0,
      hops: after ? hopDelta(before, after) : null,
      hopsWrittenSinceStart: after?.written ?? null,
      hopRecordsInRedis: mode.instrumented ? (await countHopRecords(ctx.redis, keyPrefix)).records : null,
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
