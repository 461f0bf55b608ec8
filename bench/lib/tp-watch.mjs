// What the throughput bench watches while the Oamserver runs: every run it fires and when its
// verdict was stored (RunTracker), the pending backlog, the Oamserver's /metrics (as Prometheus
// would scrape it), Redis's memory, CPU and commands, and where Redis's memory went by kind of key.
import hdr from 'hdr-histogram-js';
import { scanKeys } from './redis.mjs';

/** How far back each poll of the recent-runs index looks (a run is indexed right after it was fired). */
const LOOKBACK_MS = 5000;

/**
 * Follows every run the Oamserver fires, through the recent-runs index (ZRANGEBYSCORE by fired-at
 * time, every poll), and reads each run's `state`, `classifiedAtMs` and verdict until it is done:
 * classifiedAtMs is the `now` of the collector pass that classified it (finish-run.lua stores it),
 * so "lag" is from the run being fired to the start of the pass that stored its verdict.
 */
export class RunTracker {
  constructor(redis, keys) {
    this._redis = redis;
    this._keys = keys;
    this._seen = new Map();
    this._awaiting = new Map();
    this._lastPollMs = 0;
    /** Every run seen: { runId, firedAtMs, classifiedAtMs?, verdict?, vanished? }. */
    this.runs = [];
    /** Redis commands the tracker sent (to tell them from the Oamserver's). */
    this.commands = 0;
  }

  async poll(nowMs = Date.now()) {
    const fromMs = this._lastPollMs === 0 ? 0 : this._lastPollMs - LOOKBACK_MS;
    this._lastPollMs = nowMs;
    const flat = await this._redis.zrangebyscore(this._keys.recentRuns(), fromMs, '+inf', 'WITHSCORES');
    this.commands++;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const runId = flat[i];
      if (this._seen.has(runId)) continue;
      const entry = { runId, firedAtMs: Number(flat[i + 1]) };
      this._seen.set(runId, entry);
      this._awaiting.set(runId, entry);
      this.runs.push(entry);
    }
    // Forget ids too old to come back in a lookback (the runs stay in `runs`).
    for (const [runId, entry] of this._seen) {
      if (entry.firedAtMs >= nowMs - 4 * LOOKBACK_MS) break;
      if (!this._awaiting.has(runId)) this._seen.delete(runId);
    }
    const waiting = [...this._awaiting.values()];
    for (let i = 0; i < waiting.length; i += 500) {
      const batch = waiting.slice(i, i + 500);
      const pipeline = this._redis.pipeline();
      for (const entry of batch) pipeline.hmget(this._keys.run(entry.runId), 'state', 'classifiedAtMs', 'summary');
      const replies = await pipeline.exec();
      this.commands += batch.length;
      replies.forEach(([error, fields], k) => {
        const entry = batch[k];
        if (error) return;
        const [state, classifiedAtMs, summary] = fields;
        if (state === 'done') {
          entry.classifiedAtMs = Number(classifiedAtMs);
          entry.verdict = /"verdict":"([a-z-]+)"/.exec(summary ?? '')?.[1] ?? '(none)';
          this._awaiting.delete(entry.runId);
        } else if (state === null && nowMs - entry.firedAtMs > 60_000) {
          entry.vanished = true;
          this._awaiting.delete(entry.runId);
        }
      });
    }
  }

  get awaiting() {
    return this._awaiting.size;
  }

  /** Runs fired in [fromMs, toMs): counts, verdicts, lag percentiles (all, and by whether they waited for their deadline). */
  window(fromMs, toMs, { deadlineVerdicts = ['lost'] } = {}) {
    const fired = this.runs.filter((r) => r.firedAtMs >= fromMs && r.firedAtMs < toMs);
    const classified = fired.filter((r) => r.classifiedAtMs !== undefined);
    const waiting = fired.filter((r) => r.classifiedAtMs === undefined && !r.vanished);
    const verdicts = {};
    for (const r of classified) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    const lagOf = (runs) => percentiles(runs.map((r) => r.classifiedAtMs - r.firedAtMs));
    // Runs still without a verdict at the last poll count with the lag they have so far (a lower
    // bound): leaving them out would make an Oamserver that falls behind look fast.
    const all = percentiles([
      ...classified.map((r) => r.classifiedAtMs - r.firedAtMs),
      ...waiting.map((r) => this._lastPollMs - r.firedAtMs),
    ]);
    return {
      fired: fired.length,
      classified: classified.length,
      unclassified: waiting.length,
      vanished: fired.filter((r) => r.vanished).length,
      verdicts,
      lagMs: { ...all, stillWaiting: waiting.length },
      lagMsComplete: lagOf(classified.filter((r) => !deadlineVerdicts.includes(r.verdict))),
      lagMsAtDeadline: lagOf(classified.filter((r) => deadlineVerdicts.includes(r.verdict))),
    };
  }

  /** Runs whose verdict was stored in [fromMs, toMs). */
  classifiedBetween(fromMs, toMs) {
    return this.runs.filter((r) => r.classifiedAtMs >= fromMs && r.classifiedAtMs < toMs).length;
  }
}

/** p50/p90/p99/max of values (ms), through an HDR histogram (3 significant digits). */
export function percentiles(values) {
  if (values.length === 0) return { n: 0 };
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
  for (const v of values) histogram.recordValue(Math.min(3_600_000, Math.max(1, Math.round(v))));
  const out = {
    n: values.length,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    max: histogram.maxValue,
  };
  histogram.destroy();
  return out;
}

/** Pending runs: the sum of ZCARD over the pending sets (one, or one per partition, as the build has it). */
export class BacklogWatch {
  constructor(redis, prefix) {
    this._redis = redis;
    this._pattern = `${prefix}runs:pending*`;
    this._keys = [];
    this._refreshedAtMs = 0;
  }

  async read(nowMs = Date.now()) {
    if (nowMs - this._refreshedAtMs > 5000) {
      this._keys = (await scanKeys(this._redis, this._pattern)).filter((k) => !k.includes('{'));
      this._refreshedAtMs = nowMs;
    }
    if (this._keys.length === 0) return 0;
    const pipeline = this._redis.pipeline();
    for (const key of this._keys) pipeline.zcard(key);
    const replies = await pipeline.exec();
    return replies.reduce((sum, [error, n]) => sum + (error ? 0 : n), 0);
  }
}

/** The numbers of INFO the bench uses. */
export async function redisInfo(redis) {
  const text = await redis.info();
  const num = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    atMs: Date.now(),
    usedMemory: num('used_memory'),
    usedMemoryRss: num('used_memory_rss'),
    cpuS: num('used_cpu_sys') + num('used_cpu_user'),
    commands: num('total_commands_processed'),
    version: /^redis_version:(\S+)/m.exec(text)?.[1],
  };
}

/** Scrapes the Oamserver's /metrics once: the figures the bench uses, and what the scrape cost. */
export async function scrapeMetrics(url) {
  const started = performance.now();
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  const ms = performance.now() - started;
  const value = (name) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  let runsTotal = 0;
  let openIncidents = 0;
  let series = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    series++;
    if (line.startsWith('hoptrace_probe_runs_total{')) runsTotal += Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith('hoptrace_open_incidents{'))
      openIncidents += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  const cpuUser = value('hoptrace_oamserver_process_cpu_user_seconds_total');
  const cpuSystem = value('hoptrace_oamserver_process_cpu_system_seconds_total');
  return {
    atMs: Date.now(),
    status: res.status,
    scrapeMs: Math.round(ms),
    bytes: text.length,
    series,
    runsTotal,
    openIncidents,
    // process.cpuUsage() inside the Oamserver, as prom-client reads it at each scrape.
    cpuUs: cpuUser !== undefined && cpuSystem !== undefined ? Math.round((cpuUser + cpuSystem) * 1e6) : undefined,
    heapUsedMiB: mib(value('hoptrace_oamserver_nodejs_heap_size_used_bytes')),
    heapTotalMiB: mib(value('hoptrace_oamserver_nodejs_heap_size_total_bytes')),
    rssMiB: mib(value('hoptrace_oamserver_process_resident_memory_bytes')),
    eventLoopLagP99Ms: round1((value('hoptrace_oamserver_nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000),
  };
}

const mib = (bytes) => (bytes === undefined ? undefined : Math.round((bytes / 2 ** 20) * 10) / 10);
const round1 = (x) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : undefined);

/** The kind of an hoptrace key, from its shape (packages/core/src/redis-keys.ts), after the prefix. */
export function keyKind(rest) {
  if (/^run:\{[^}]+\}:hops$/.test(rest)) return 'hop hashes';
  if (/^run:\{[^}]+\}$/.test(rest)) return 'run hashes';
  if (rest.startsWith('runs:pending')) return 'pending sets';
  if (/^probe:\{[^}]+\}:slot:/.test(rest)) return 'schedule slots';
  if (/^probe:\{[^}]+\}:place:/.test(rest)) return 'incident places';
  if (/^probe:\{[^}]+\}:(runs|faults)$/.test(rest)) return 'per-probe indexes';
  if (rest.startsWith('runs:instance:')) return 'per-instance indexes';
  if (rest.startsWith('runs:')) return 'other run indexes';
  if (rest.startsWith('{incidents}')) return 'incidents';
  if (rest.startsWith('{peers}')) return 'peer directory';
  if (rest.startsWith('{lease:')) return 'partition leases';
  return 'other';
}

/**
 * Where the prefix's memory is: MEMORY USAGE (SAMPLES 0: every element counted) of every key,
 * summed by kind; with the hop hashes' field count, the bytes per hop.
 */
export async function memoryBreakdown(redis, prefix) {
  const keys = await scanKeys(redis, `${prefix}*`);
  const kinds = {};
  let hopFields = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const hopBatch = batch.filter((k) => k.endsWith(':hops'));
    for (const key of hopBatch) pipeline.hlen(key);
    const replies = await pipeline.exec();
    batch.forEach((key, k) => {
      const kind = keyKind(key.slice(prefix.length));
      const bytes = replies[k][0] ? 0 : (replies[k][1] ?? 0);
      kinds[kind] ??= { keys: 0, bytes: 0 };
      kinds[kind].keys++;
      kinds[kind].bytes += bytes;
    });
    for (let k = 0; k < hopBatch.length; k++) hopFields += replies[batch.length + k][1] ?? 0;
  }
  const totalBytes = Object.values(kinds).reduce((n, k) => n + k.bytes, 0);
  const per = (kind) => (kinds[kind] ? Math.round(kinds[kind].bytes / kinds[kind].keys) : undefined);
  return {
    keys: keys.length,
    totalBytes,
    kinds,
    bytesPerRunHash: per('run hashes'),
    bytesPerHopHash: per('hop hashes'),
    hopRecords: hopFields,
    bytesPerHop: kinds['hop hashes'] && hopFields > 0 ? Math.round(kinds['hop hashes'].bytes / hopFields) : undefined,
  };
}

/** How many keys of each kind the prefix holds (SCAN only, no MEMORY USAGE: cheap enough to repeat). */
export async function countKeysByKind(redis, prefix) {
  const counts = {};
  for (const key of await scanKeys(redis, `${prefix}*`)) {
    const kind = keyKind(key.slice(prefix.length));
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
