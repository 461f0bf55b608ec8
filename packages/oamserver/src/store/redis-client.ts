import { Cluster, Redis, type Command, type RedisOptions } from 'ioredis';
import { parseRedisTarget } from '@hoptrace/core';

/** The Oamserver's Redis client: one node or a cluster. */
export type OamRedis = Redis | Cluster;

/**
 * The Oamserver owns its process, so its client may wait a little for Redis (a short offline
 * queue is fine), but every command still has a deadline: a hung Redis must turn into
 * `unknown` verdicts, not into a hung Oamserver.
 */
export function createOamRedis(url: string | undefined, options: { commandTimeoutMs?: number } = {}): OamRedis {
  const commandTimeout = options.commandTimeoutMs ?? 2000;
  const perConnection = {
    commandTimeout,
    connectTimeout: 5000,
    maxRetriesPerRequest: 2,
    connectionName: 'hoptrace-oamserver',
  } satisfies RedisOptions;
  const target = parseRedisTarget(url);
  if (target.kind === 'single') {
    return new Redis(target.url, {
      ...perConnection,
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
    });
  }
  // Not auto-pipelined: ioredis sends a pipeline again after a MOVED only when every command in it
  // got the same redirection, so after a failover the commands for different slots batched
  // towards the old master would all fail with "MOVED". Node connections keep ioredis' own
  // offline queue and reconnection (its types leave them out of redisOptions): a node that is
  // gone is found again through the slot map.
  const cluster = new DeadlineCluster(target.nodes, {
    enableAutoPipelining: false,
    redisOptions: {
      ...perConnection,
      username: target.username,
      password: target.password,
      tls: target.tls ? {} : undefined,
    },
  });
  cluster.commandDeadlineMs = commandTimeout;
  return cluster;
}

/**
 * A cluster client whose commands have their deadline from the moment they are sent. ioredis
 * times a command only once a node connection has it: while the cluster client reconnects (every
 * node lost, or the slots unknown) commands would wait in its offline queue forever.
 */
class DeadlineCluster extends Cluster {
  commandDeadlineMs: number | undefined;

  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    if (this.commandDeadlineMs) command.setTimeout(this.commandDeadlineMs);
    return super.sendCommand(command, stream, node);
  }
}
