import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createRedisKeys, parseProbeKeyRing } from '@hoptrace/core';
import { PartitionLeases } from './collector/partition-leases';
import { Collector, type CollectorOptions } from './collector/collector';
import type { ProbeConfig } from './config/probe-config-schema';
import { triggerPluginsOf } from './plugins/load-plugins';
import { baselinesConsumer, statisticsConsumer } from './pipeline/verdict-consumers';
import { VerdictPipeline } from './pipeline/verdict-pipeline';
import { ProbeRunner } from './runner/probe-runner';
import type { BaselineRule } from './classifier/baseline-rule';
import { BaselineStore } from './stats/baselines';
import { SharedPeerDirectory } from './stats/shared-peer-directory';
import { RollingStats } from './stats/rolling-stats';
import { createOamRedis, type OamRedis } from './store/redis-client';
import { DEFAULT_VERDICTS_MAX_LEN, RunStore } from './store/run-store';
import { StorageHealth } from './store/storage-health';
import { createProbeTracer, type OtlpProtocol, type ProbeTracer } from './telemetry/probe-tracer';

/** What the Oamserver core is built from. Entry points read the environment; this does not. */
export interface OamCoreOptions {
  config: ProbeConfig;
  /** Probe token key(s), as HOPTRACE_SECRET holds them. */
  secret: string;
  /** Redis URL or cluster seed list. Default `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** Export each run's root span to OTLP (Jaeger) as well (URL and headers from the OTEL_EXPORTER_OTLP_* variables). */
  otlpEndpoint?: string;
  /** How the root spans are encoded for OTLP: `http/protobuf` (default) or `http/json`. */
  otlpProtocol?: OtlpProtocol;
  /** `service.name` of the root spans. Default `hoptrace-oamserver`. */
  serviceName?: string;
  collector?: CollectorOptions;
  /** How hops without a budget are judged slow against their learned baseline. Default: the config's `baseline`. */
  baselineRule?: BaselineRule;
  /** Told about storage problems. */
  warn?: (message: string) => void;
}

/** The parts every Oamserver mode shares: storage, firing, collecting, statistics. */
export interface OamCore {
  /** This process's id among the Oamservers (`host:pid:random`): its partition leases, slot claims and verdicts stream entries. */
  owner: string;
  redis: OamRedis;
  store: RunStore;
  health: StorageHealth;
  runner: ProbeRunner;
  collector: Collector;
  /** What follows each verdict this process stored, and other Oamservers' (add consumers to it). */
  pipeline: VerdictPipeline;
  stats: RollingStats;
  baselines: BaselineStore;
  peers: SharedPeerDirectory;
  tracer: ProbeTracer;
  close(): Promise<void>;
}

/** Builds the core; starts nothing (see Oamserver for the long-running server). */
export function createOamCore(options: OamCoreOptions): OamCore {
  const keys = parseProbeKeyRing(options.secret);
  // Refuse a bad key prefix before a Redis client exists (an open client keeps the process alive).
  createRedisKeys(options.config.storage.keyPrefix);
  const redis = createOamRedis(options.redisUrl);
  // The in-memory caps (docs/deployment.md, "Caps").
  const limits = options.config.limits;
  let lastWarning = 0;
  redis.on('error', (error: Error) => {
    // ioredis reports every failed reconnect; one line a minute is enough to say Redis is gone.
    if (Date.now() - lastWarning > 60_000) {
      lastWarning = Date.now();
      options.warn?.(`Redis connection problem: ${error.message}`);
    }
  });
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const store = new RunStore(redis, {
    keyPrefix: options.config.storage.keyPrefix,
    runTtlMs: options.config.storage.runTtl,
    maxRuns: options.config.storage.maxRuns,
    warn: options.warn,
    owner,
  });
  const health = new StorageHealth();
  const tracer = createProbeTracer({
    otlpEndpoint: options.otlpEndpoint,
    otlpProtocol: options.otlpProtocol,
    serviceName: options.serviceName,
  });
  const runner = new ProbeRunner({
    store,
    redis,
    keys,
    tracer: tracer.tracer,
    storageHealth: health,
    plugins: triggerPluginsOf(options.config.plugins),
    // A plugin's own lines go where the Oamserver's warnings go; its info lines are not worth that.
    log: (level, message, fields) => {
      if (level !== 'info') options.warn?.(`${String(fields.plugin)} plugin: ${message}`);
    },
  });
  // Shared through Redis: a restarted or a second Oamserver names the same instances.
  const peers = new SharedPeerDirectory(redis, store.keys, { maxAddresses: limits.peerAddresses });
  const { factor, floor, minSamples } = options.config.baseline;
  const baselineRule = options.baselineRule ?? { factor, floorMs: floor, minSamples };
  const baselines = new BaselineStore(Date.now, limits.baselineSeries, baselineRule.minSamples);
  // A server divides the pending runs with the other Oamservers of its config; `hoptrace probe`
  // (scope `own`) classifies only the runs it fired.
  const leases =
    (options.collector?.scope ?? 'all') === 'all'
      ? new PartitionLeases(redis, store.keys, {
          owner,
          leaseMs: options.config.server.leaseTime,
        })
      : undefined;
  const collector = new Collector(
    { store, storageHealth: health, warn: options.warn, peers, baselines, baselineRule, leases },
    { probes: options.config.probes.map((p) => p.name), maxRunsInFlight: limits.runsInFlight, ...options.collector },
  );
  const stats = new RollingStats(Date.now, limits.statsSeries);
  // What follows a verdict: first what classifying learns; the Oamserver adds the rest
  // (pipeline/verdict-consumers.ts lists every consumer). It remembers enough run ids to drop a
  // peer's entry for a run warmed from storage or judged here (the runs warmed, plus the stream).
  const pipeline = new VerdictPipeline(options.warn, options.config.storage.maxRuns + DEFAULT_VERDICTS_MAX_LEN).add(
    statisticsConsumer(stats),
    baselinesConsumer(baselines),
  );
  collector.onResult((result) => pipeline.handle(result));
  return {
    owner,
    redis,
    store,
    health,
    runner,
    collector,
    pipeline,
    stats,
    baselines,
    peers,
    tracer,
    async close() {
      await collector.stop();
      await runner.close();
      await tracer.shutdown().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
