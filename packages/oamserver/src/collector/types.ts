import type { HopRecord } from '@hoptrace/core';
import type { BaselineRule } from '../classifier/baseline-rule';
import type { BaselineStore } from '../stats/baselines';
import type { PeerIdentity } from '../stats/peer-directory';
import type { RunStore } from '../store/run-store';
import type { StorageHealth } from '../store/storage-health';
import type { PartitionLeases } from './partition-leases';

/** Options of the collector. */
export interface CollectorOptions {
  /** How often pending runs are looked at. Default 250 ms. */
  intervalMs?: number;
  /** Clock differences above this are flagged on runs. Default 1000 ms. */
  skewThresholdMs?: number;
  /** Most pending runs looked at per pass. Default 500. */
  maxPerPass?: number;
  /** After its deadline, how long a run fired here may wait for storage before it is judged `unknown` locally. Default 2000 ms. */
  unknownGraceMs?: number;
  /** After its deadline, how long to wait for a trigger's outcome to be recorded. Default 1000 ms. */
  triggerGraceMs?: number;
  /**
   * A storage answer slower than this counts as a storage problem: services' hop writes (which
   * give up after their export timeout, 1 s by default) were likely dropped meanwhile. Default 500 ms.
   */
  slowStorageMs?: number;
  /**
   * Which pending runs this collector classifies: `all` (a server: every run of the probes it
   * knows) or `own` (`hoptrace probe`: only the runs it fired). Default `all`.
   */
  scope?: 'all' | 'own';
  /** With scope `all`: the probes this collector knows; runs of other probes are left to whoever fired them. */
  probes?: readonly string[];
  /**
   * Most runs fired here that are remembered while they wait for a verdict (config
   * `limits.runsInFlight`); also bounds the cached records of pending runs. Default 10,000.
   */
  maxRunsInFlight?: number;
}

/**
 * What the collector asks of the peer directory (a local `PeerDirectory`, or the
 * `SharedPeerDirectory` that keeps it in Redis for every Oamserver).
 */
export interface PeerKnowledge {
  /** Reads what is known of the addresses `hops` called and the callers of `services`, before a verdict. */
  refresh?(hops: readonly HopRecord[], services: readonly string[]): Promise<void>;
  /** Learns from the hops of a classified run. */
  learn(hops: readonly HopRecord[]): unknown;
  lookup(peer: string): PeerIdentity | undefined;
  usualCaller(service: string): string | undefined;
}

/** What the collector needs. */
export interface CollectorDeps {
  store: RunStore;
  storageHealth: StorageHealth;
  /** Addresses learned from linked hops (names the instance a failed call was meant for); learns from every run. */
  peers?: PeerKnowledge;
  /** Leases on partitions of the pending runs: this collector classifies only the runs of partitions it holds. */
  leases?: PartitionLeases;
  /** Usual hop latencies, for hops without a budget. */
  baselines?: BaselineStore;
  baselineRule?: BaselineRule;
  now?: () => number;
  /** Told about storage problems (never about argument values). */
  warn?: (message: string) => void;
}

/**
 * Default of `CollectorOptions.maxRunsInFlight`: at 100 runs/s, enough for runs that wait up to
 * ~95 s for their verdict (timeout, plus 2 s of grace when storage is down).
 */
export const DEFAULT_MAX_RUNS_IN_FLIGHT = 10_000;
