import type { HopExportStats } from './hop-export-stats';
import type { HopRedisClient } from './redis-client';

/** Options of `RedisHopExporter`. */
export interface RedisHopExporterOptions {
  /**
   * A client to write through (yours). When given, the exporter never closes it. Make it fail
   * fast (`enableOfflineQueue: false`, a `commandTimeout`), or the export timeout is all that
   * stands between an outage and your memory.
   */
  redis?: HopRedisClient;
  /** Redis to connect to when no client is given: one URL, or a cluster seed list. Default `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** Prefix of every key written. Default `hoptrace:`. */
  keyPrefix?: string;
  /** How long hop records live in Redis. Default 3 600 000 ms (1 hour). */
  hopTtlMs?: number;
  /** Most time one export may take; after it the batch is dropped and counted. Default 1000 ms. */
  exportTimeoutMs?: number;
  /** Command timeout of the exporter's own client. Default 500 ms. */
  commandTimeoutMs?: number;
  /** Most hop records one run may hold; more are dropped (`run_cap`). Default 64. */
  maxHopsPerRun?: number;
  /** Counters to report into (share one between processor and exporter). Default: a new one. */
  stats?: HopExportStats;
  /** Receives the exporter's warnings (drops, connection problems), rate-limited. Default `diag.warn`. */
  onWarning?: (message: string) => void;
}

/** Options of `HopSpanProcessor`. */
export interface HopSpanProcessorOptions {
  /** Most hop spans waiting to be exported; more are dropped (`queue_full`). Default 1024. */
  maxQueueSize?: number;
  /** Most hop spans per export. Default 128. */
  maxExportBatchSize?: number;
  /** Longest a hop waits before it is exported. Default 200 ms. */
  scheduledDelayMs?: number;
  /** Counters to report into. Default: the exporter's when it has them, else a new one. */
  stats?: HopExportStats;
}
