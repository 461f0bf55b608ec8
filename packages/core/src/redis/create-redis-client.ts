import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisTarget, type RedisTarget } from '../redis-target';
import { DeadlineCluster } from './deadline-cluster';

/** A hoptrace Redis client: one node or a cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Settings of every connection: the single node's, or each cluster node's. User, password and TLS
 * come from the URL, so they are not here; nor is `replyMapping` (replies keep ioredis' default
 * shapes, which `RedisClient` is typed for).
 */
export type RedisConnectionOptions = Omit<
  NonNullable<ClusterOptions['redisOptions']>,
  'username' | 'password' | 'tls' | 'replyMapping'
>;

/** Settings that apply only when the target is one node. */
export type SingleNodeOptions = Pick<
  RedisOptions,
  'enableOfflineQueue' | 'enableAutoPipelining' | 'retryStrategy' | 'lazyConnect'
>;

/** Settings that apply only when the target is a Redis Cluster (at the cluster level). */
export interface ClusterClientOptions extends Pick<
  ClusterOptions,
  'enableOfflineQueue' | 'clusterRetryStrategy' | 'lazyConnect'
> {
  /**
   * Deadline of every command from the moment it is sent, in ms. Default none (ioredis' own
   * `commandTimeout`, which starts only once a node connection has the command).
   */
  commandDeadlineMs?: number;
}

/** Options of `createRedisClient`. */
export interface CreateRedisClientOptions {
  /** Settings of every connection (timeouts, retries per request, `connectionName`, ...). */
  connection?: RedisConnectionOptions;
  /** Settings used only for one node. */
  single?: SingleNodeOptions;
  /** Settings used only for a cluster. */
  cluster?: ClusterClientOptions;
}

/**
 * Creates the client for a `REDIS_URL` value (or a target `parseRedisTarget` already read): a
 * `Redis` for one node, a `Cluster` for a seed list, with hoptrace's cluster rules. Throws
 * HOPTRACE_CONFIG_INVALID when the URL is unreadable.
 */
export function createRedisClient(
  target: string | RedisTarget | undefined,
  options: CreateRedisClientOptions = {},
): RedisClient {
  const where = typeof target === 'object' ? target : parseRedisTarget(target);
  const connection = options.connection ?? {};
  if (where.kind === 'single') return new Redis(where.url, { ...connection, ...options.single });
  const { commandDeadlineMs, ...clusterLevel } = options.cluster ?? {};
  const clusterOptions = {
    ...clusterLevel,
    // Not auto-pipelined: ioredis sends a pipeline again after a MOVED only when every command in
    // it got the same redirection, so after a failover the commands for different slots, batched
    // towards the old master, would all fail with "MOVED". Each command is still written at once,
    // without waiting for the previous answer.
    enableAutoPipelining: false,
    // Node connections keep ioredis' own offline queue and reconnection (its types leave them out
    // of redisOptions): they open lazily, and the replica promoted in a failover is a node this
    // client has not talked to yet, so its first commands wait (within the command timeout) for
    // the connection to open instead of failing with "Stream isn't writeable"; a node that is
    // gone is found again through the slot map.
    redisOptions: {
      ...connection,
      username: where.username,
      password: where.password,
      tls: where.tls ? {} : undefined,
    },
  } satisfies ClusterOptions;
  if (commandDeadlineMs === undefined) return new Cluster(where.nodes, clusterOptions);
  const cluster = new DeadlineCluster(where.nodes, clusterOptions);
  cluster.commandDeadlineMs = commandDeadlineMs;
  return cluster;
}
