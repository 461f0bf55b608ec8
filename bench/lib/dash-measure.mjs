// Timing the dashboard's API routes: each request's server time (the `Server-Timing: app;dur=<ms>`
// header every /api answer carries) and its round trip as the client sees it (request sent to
// body read). One keep-alive connection, one request at a time, the routes interleaved round by
// round so that the machine's noise spreads over all of them alike.
import { percentile } from './load.mjs';
import { cpuTimeUs } from './proc-stats.mjs';

/** Nearest-rank summary of a list of numbers: n, median, p95, max (and min, mean). */
export function summarize(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { n: 0 };
  const round = (v) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    min: round(sorted[0]),
    median: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted.at(-1)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** The `app` duration of a Server-Timing header, in ms; NaN when absent. */
export function serverTimingMs(header) {
  const match = /(?:^|,)\s*app;(?:[^,]*;)?\s*dur=([\d.]+)/.exec(header ?? '');
  return match ? Number(match[1]) : Number.NaN;
}

/** One GET: { status, serverMs, clientMs, bytes, body (parsed JSON, or the text when not JSON) }. */
export async function timedGet(baseUrl, path) {
  const started = performance.now();
  const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const clientMs = performance.now() - started;
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the error message.
  }
  return {
    status: res.status,
    serverMs: serverTimingMs(res.headers.get('server-timing')),
    clientMs,
    bytes: Buffer.byteLength(text),
    body,
  };
}

/** What a route's answer says about the work it did (for the report), besides its timing. */
function shapeOf(body) {
  if (!body || typeof body !== 'object') return {};
  if (Array.isArray(body.runs)) {
    return { runs: body.runs.length, scanned: body.scanned, partial: body.partial, hasNext: Boolean(body.next) };
  }
  if (Array.isArray(body.probes) && Array.isArray(body.openIncidents)) {
    return {
      probes: body.probes.length,
      cells: body.probes.reduce((n, p) => n + (p.recent?.length ?? 0), 0),
      runsCounted: body.probes.reduce((n, p) => n + (p.stats?.count ?? 0), 0),
      openIncidents: body.openIncidents?.length,
      markers: body.probes.reduce((n, p) => n + (p.incidents?.length ?? 0), 0),
      storage: body.storage,
    };
  }
  if (Array.isArray(body.incidents)) return { incidents: body.incidents.length };
  if (body.runId) return { verdict: body.verdict, hops: body.hops?.length };
  if (Array.isArray(body.probes)) {
    return { probes: body.probes.length, runsMapped: body.probes.reduce((n, p) => n + (p.runs ?? 0), 0) };
  }
  return {};
}

/**
 * Times every route: `warmups` untimed rounds, then `requests` timed rounds, each round one
 * request per route in order. Returns per route its samples, the shape of its last answer and,
 * given the server's `pid`, its CPU time per request; a non-2xx answer is a failure (kept, and
 * the route goes on).
 */
export async function timeRoutes(baseUrl, routes, { warmups, requests, onRound, pid }) {
  const results = routes.map((route) => ({ ...route, serverMs: [], clientMs: [], bytes: [], failures: [], cpuUs: 0 }));
  for (let round = 0; round < warmups + requests; round++) {
    for (const result of results) {
      const cpuBefore = pid === undefined ? null : cpuTimeUs(pid);
      const answer = await timedGet(baseUrl, result.path);
      const cpuAfter = pid === undefined ? null : cpuTimeUs(pid);
      if (round >= warmups && cpuBefore !== null && cpuAfter !== null) result.cpuUs += cpuAfter - cpuBefore;
      if (answer.status < 200 || answer.status >= 300) {
        result.failures.push(`${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
        continue;
      }
      result.shape = shapeOf(answer.body);
      if (round < warmups) continue;
      result.serverMs.push(answer.serverMs);
      result.clientMs.push(answer.clientMs);
      result.bytes.push(answer.bytes);
    }
    onRound?.(round, warmups);
  }
  return results.map((r) => ({
    id: r.id,
    label: r.label,
    path: r.path,
    target: r.target,
    extra: r.extra ?? false,
    server: summarize(r.serverMs),
    client: summarize(r.clientMs),
    // The server process's CPU time (all threads) while the route's timed requests ran, per request:
    // far less sensitive than wall time to the other work on the machine. Clock-tick resolution
    // (10 ms) per request, so only the mean over all requests means anything.
    cpuMsPerRequest: pid === undefined ? null : Math.round(r.cpuUs / requests / 100) / 10,
    bytes: summarize(r.bytes).median,
    answer: r.shape,
    failures: r.failures,
    samples: { serverMs: r.serverMs, clientMs: r.clientMs.map((v) => Math.round(v * 10) / 10) },
  }));
}

/**
 * Walks `pages` pages of `path` by their `next` cursors (the way the runs page loads more), timing
 * each; returns the cursor after the last one and the timings.
 */
export async function walkPages(baseUrl, path, pages) {
  const serverMs = [];
  const clientMs = [];
  let cursor;
  let runs = 0;
  for (let page = 0; page < pages; page++) {
    const answer = await timedGet(baseUrl, cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path);
    if (answer.status !== 200) throw new Error(`page ${page + 1} of ${path} answered ${answer.status}`);
    serverMs.push(answer.serverMs);
    clientMs.push(answer.clientMs);
    runs += answer.body.runs.length;
    cursor = answer.body.next;
    if (!cursor) throw new Error(`${path} ran out of pages after ${page + 1} (${runs} runs)`);
  }
  return { cursor, runs, server: summarize(serverMs), client: summarize(clientMs) };
}

/** INFO commandstats as { command: { calls, usec } }. */
export async function commandStats(redis) {
  const out = {};
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (match) out[match[1]] = { calls: Number(match[2]), usec: Number(match[3]) };
  }
  return out;
}

/**
 * The Redis commands one request of each route makes: `n` requests in a row, with Redis's MONITOR
 * on (only commands naming a key under `prefix` count: Redis is shared, and only this bench's
 * Oamserver touches those keys), and an estimate of Redis's own time for them (the count of each
 * command times its mean µs per call over the same requests, from INFO commandstats). MONITOR
 * slows Redis down, so this runs apart from the timed requests.
 */
export async function redisCostPerRequest(baseUrl, routes, { redis, prefix, n = 5 }) {
  // A connection of its own in MONITOR mode (ioredis duplicates the client).
  const monitor = await redis.monitor();
  let counts = {};
  monitor.on('monitor', (_time, args) => {
    if (!args.some((a) => typeof a === 'string' && a.startsWith(prefix))) return;
    const command = String(args[0]).toLowerCase();
    counts[command] = (counts[command] ?? 0) + 1;
  });
  const out = {};
  try {
    for (const route of routes) {
      await timedGet(baseUrl, route.path); // not counted: anything the previous route left in flight settles
      await new Promise((r) => setTimeout(r, 50));
      counts = {};
      const before = await commandStats(redis);
      for (let i = 0; i < n; i++) await timedGet(baseUrl, route.path);
      const after = await commandStats(redis);
      // MONITOR lines arrive a moment after the replies.
      await new Promise((r) => setTimeout(r, 100));
      let calls = 0;
      let usec = 0;
      const byCommand = {};
      for (const [command, count] of Object.entries(counts)) {
        const dCalls = (after[command]?.calls ?? 0) - (before[command]?.calls ?? 0);
        const dUsec = (after[command]?.usec ?? 0) - (before[command]?.usec ?? 0);
        byCommand[command] = Math.round((count / n) * 10) / 10;
        calls += count;
        if (dCalls > 0) usec += count * (dUsec / dCalls);
      }
      out[route.id] = {
        commandsPerRequest: Math.round((calls / n) * 10) / 10,
        redisMsPerRequest: Math.round(usec / n / 100) / 10,
        byCommand,
      };
    }
  } finally {
    monitor.disconnect();
  }
  return out;
}
