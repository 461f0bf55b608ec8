import { z } from 'zod';
import { DEFAULT_MAX_RUNS_IN_FLIGHT } from '../collector/collector';
import { DEFAULT_MAX_INSTANCES_PER_SERVICE } from '../http/hop-instance-metric';
import { DEFAULT_MAX_SERIES } from '../stats/rolling-stats';
import { SHARED_PEER_DIRECTORY_DEFAULTS } from '../stats/shared-peer-directory';

/**
 * The Oamserver's in-memory caps (docs/deployment.md, "Caps", says what happens at each). The
 * bounds keep a typo from making memory unbounded: a full statistics series is ~17 KB, a
 * baseline series ~5 KB.
 */
export const limitsSchema = z
  .object({
    /** Rolling statistics series: probe, probe × service, probe × service × instance. */
    statsSeries: z.number().int().min(100).max(200_000).default(DEFAULT_MAX_SERIES),
    /** Baseline series: probe × service, probe × service × instance. */
    baselineSeries: z.number().int().min(100).max(200_000).default(DEFAULT_MAX_SERIES),
    /** Instances per service with their own label value in hoptrace_hop_instance_duration_seconds. */
    metricInstancesPerService: z.number().int().min(1).max(1000).default(DEFAULT_MAX_INSTANCES_PER_SERVICE),
    /** Addresses in the peer directory (and services in its who-calls-whom table), here and in Redis. */
    peerAddresses: z.number().int().min(100).max(1_000_000).default(SHARED_PEER_DIRECTORY_DEFAULTS.maxAddresses),
    /** Runs fired by this Oamserver remembered while they wait for a verdict. */
    runsInFlight: z.number().int().min(1000).max(1_000_000).default(DEFAULT_MAX_RUNS_IN_FLIGHT),
  })
  .strict();
