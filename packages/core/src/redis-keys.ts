import { HoptraceError } from './errors';
import { PROBE_NAME_PATTERN, RUN_ID_PATTERN } from './probe-token';

/** Prefix of every Redis key hoptrace writes, unless configured otherwise. */
export const DEFAULT_KEY_PREFIX = 'hoptrace:';

/**
 * Pending runs are split into this many partitions, each classified by one Oamserver at a time
 * (the holder of its lease): the work divides among Oamservers instead of multiplying.
 */
export const PENDING_PARTITIONS = 16;

/** A stable 32-bit hash of a text (FNV-1a): the same on every Oamserver, for spreading work. */
export function stableHash(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash;
}

/** The partition of a run's pending entry: a stable hash of its id. */
export function partitionOf(runId: string, partitions: number = PENDING_PARTITIONS): number {
  return stableHash(runId) % partitions;
}

/** Builds every Redis key hoptrace uses. One run's keys share the hash tag `{runId}`. */
export interface RedisKeys {
  readonly prefix: string;
  /** HASH of one run's hop records: field = span id, value = hop record JSON. Written by services. */
  runHops(runId: string): string;
  /** HASH of one run: its definition, state, trigger outcome and result. Written by the Oamserver. */
  run(runId: string): string;
  /**
   * ZSET of runs waiting to be classified, from before pending runs were partitioned: member = run
   * id, score = deadline (epoch ms). Only read (and drained) now; new runs go to `pendingPartition`.
   */
  pendingRuns(): string;
  /** ZSET of the runs of one partition (see `partitionOf`) waiting to be classified: member = run id, score = deadline. */
  pendingPartition(partition: number): string;
  /** STRING `<owner> <fencing token>`: the Oamserver that classifies a partition's runs, with a lease (expires). */
  partitionLease(partition: number): string;
  /** STRING counter: the fencing token of a partition's last lease (same hash tag as the lease). */
  partitionEpoch(partition: number): string;
  /** ZSET of live Oamservers: member = owner id, score = last heartbeat (epoch ms). */
  oamservers(): string;
  /** ZSET of recent runs of every probe: member = run id, score = fired at (epoch ms); trimmed. */
  recentRuns(): string;
  /** ZSET of recent runs of one probe: member = run id, score = fired at (epoch ms); trimmed. */
  probeRuns(probe: string): string;
  /** ZSET of recent runs of one probe that blamed a place (fault verdicts): member = run id, score = fired at; trimmed. */
  probeFaults(probe: string): string;
  /** ZSET of recent classified runs of every probe that blamed a place (fault verdicts); trimmed. */
  runsWithFault(): string;
  /** ZSET of recent classified runs with one verdict: member = run id, score = fired at; trimmed. */
  runsByVerdict(verdict: string): string;
  /** ZSET of recent classified runs that went through a service or were blamed on it; trimmed. */
  runsByService(service: string): string;
  /** ZSET of recent classified runs that went through an instance or were blamed on it; trimmed. */
  runsByInstance(instance: string): string;
  /** STRING set once per schedule slot of a probe, so that only one Oamserver fires it. Expires. */
  scheduleSlot(probe: string, slot: number): string;
  /**
   * HASH of one place of a probe (a service, and an instance of it or `*` for the whole service):
   * field = fault kind, value = its streaks and current incident (JSON). Expires after the incident retention.
   */
  place(probe: string, service: string, instance: string | undefined): string;
  /** HASH of incidents: field = incident id, value = incident JSON. Trimmed with the recent index. */
  incidents(): string;
  /** SET of the ids of open incidents. */
  openIncidents(): string;
  /** ZSET of incident ids by opening time (epoch ms); trimmed. */
  recentIncidents(): string;
  /**
   * HASH of the peer directory, shared by every Oamserver: field `addr:<host:port>` = who answers
   * at that address (JSON), field `callers:<service>` = who calls that service, with counts (JSON).
   * Bounded (oldest addresses dropped) and expiring when no run teaches it anything.
   */
  peerDirectory(): string;
  /** ZSET of the directory's addresses by when they were last seen (epoch ms), to drop the oldest. */
  peerDirectoryRecency(): string;
  /**
   * STREAM of the verdicts stored by every Oamserver of the prefix, one entry per run: field
   * `owner` = the id of the Oamserver that stored it, field `summary` = the run summary (JSON).
   * Each Oamserver reads the others' entries, so its statistics count every run. Capped
   * (`XADD MAXLEN ~`).
   */
  verdicts(): string;
}

/**
 * Creates the key builder. The prefix may not contain braces: a brace there would become the
 * hash tag and put every run in one Redis Cluster slot.
 */
export function createRedisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  if (prefix.includes('{') || prefix.includes('}')) {
    throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `keyPrefix "${prefix}" must not contain { or }`);
  }
  const tag = (runId: string): string => {
    if (!RUN_ID_PATTERN.test(runId)) {
      throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `run id "${runId}" must match ${RUN_ID_PATTERN}`);
    }
    return `{${runId}}`;
  };
  const probeTag = (probe: string): string => {
    if (!PROBE_NAME_PATTERN.test(probe)) {
      throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `probe name "${probe}" must match ${PROBE_NAME_PATTERN}`);
    }
    return `{${probe}}`;
  };
  return {
    prefix,
    runHops: (runId) => `${prefix}run:${tag(runId)}:hops`,
    run: (runId) => `${prefix}run:${tag(runId)}`,
    pendingRuns: () => `${prefix}runs:pending`,
    pendingPartition: (partition) => `${prefix}runs:pending:${partition}`,
    // A lease and its counter share a hash tag: taking a lease is one script, also on a cluster.
    partitionLease: (partition) => `${prefix}{lease:${partition}}`,
    partitionEpoch: (partition) => `${prefix}{lease:${partition}}:epoch`,
    oamservers: () => `${prefix}oamservers`,
    recentRuns: () => `${prefix}runs:recent`,
    probeRuns: (probe) => `${prefix}probe:${probeTag(probe)}:runs`,
    probeFaults: (probe) => `${prefix}probe:${probeTag(probe)}:faults`,
    // Verdicts, services and instances come from results and hop records: encoded, like places.
    runsWithFault: () => `${prefix}runs:faults`,
    runsByVerdict: (verdict) => `${prefix}runs:verdict:${encodeURIComponent(verdict)}`,
    runsByService: (service) => `${prefix}runs:service:${encodeURIComponent(service)}`,
    runsByInstance: (instance) => `${prefix}runs:instance:${encodeURIComponent(instance)}`,
    scheduleSlot: (probe, slot) => `${prefix}probe:${probeTag(probe)}:slot:${slot}`,
    // Service and instance names come from hop records: encoded, so no brace or colon in them
    // can change the key's shape or its hash tag.
    place: (probe, service, instance) =>
      `${prefix}probe:${probeTag(probe)}:place:${encodeURIComponent(service)}:${instance === undefined ? '*' : encodeURIComponent(instance)}`,
    // The incident list lives in one hash tag, so that saving an incident is one MULTI, also on a cluster.
    incidents: () => `${prefix}{incidents}`,
    openIncidents: () => `${prefix}{incidents}:open`,
    recentIncidents: () => `${prefix}{incidents}:recent`,
    // One hash tag: the directory and its recency index are written together, also on a cluster.
    peerDirectory: () => `${prefix}{peers}`,
    peerDirectoryRecency: () => `${prefix}{peers}:recency`,
    verdicts: () => `${prefix}verdicts`,
  };
}
