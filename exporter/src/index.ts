export { RedisHopExporter, REDIS_HOP_EXPORTER_DEFAULTS } from './redis-hop-exporter';
export { HopSpanProcessor, HOP_SPAN_PROCESSOR_DEFAULTS } from './hop-span-processor';
export { HopExportStats, HOP_DROP_REASONS } from './hop-export-stats';
export type { HopDropReason, HopExportStatsSnapshot } from './hop-export-stats';
export { isProbeHop, spanToHopRecord } from './span-to-hop';
export { createHopRedisClient } from './redis-client';
export type { HopRedisClient, HopRedisClientOptions } from './redis-client';
export type { RedisHopExporterOptions, HopSpanProcessorOptions } from './types';
