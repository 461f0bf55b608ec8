import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { portIsFree } from '@hoptrace/demo/ports';
import { waitFor } from './wait';

const run = promisify(execFile);

/** A slot of each master's range as `redis-cli --cluster create` splits 16384 slots over three masters. */
const RANGE_SLOTS = [0, 5461, 10923] as const;

/** One node as `CLUSTER NODES` describes it. */
export interface ClusterNodeView {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** For a replica: the id of its master. */
  masterId?: string;
  /** Flagged `fail` or `fail?` by the node that was asked. */
  failing: boolean;
  connected: boolean;
  /** Slot ranges served (masters), inclusive. */
  slots: [number, number][];
}

/** What `failover()` and `killMaster()` did: the old master's port and the replica that took over. */
export interface Takeover {
  from: number;
  to: number;
}

/** A Redis Cluster of three masters with one replica each, owned by the test. */
export interface PrivateRedisCluster {
  /** The ports of the six nodes. */
  readonly ports: readonly number[];
  /** The seed list, as REDIS_URL takes it: `redis://127.0.0.1:<p1>,redis://127.0.0.1:<p2>,...`. */
  readonly url: string;
  /** The port of the master serving the `masterIndex`-th third of the slots (0, 1 or 2), now. */
  masterPort(masterIndex: number): Promise<number>;
  /**
   * Manual failover: `CLUSTER FAILOVER` sent to the replica of the master serving the
   * `masterIndex`-th third of the slots; resolves once the roles have swapped on every node and
   * every node says cluster_state:ok.
   */
  failover(masterIndex: number): Promise<Takeover>;
  /**
   * SIGKILLs the master serving the `masterIndex`-th third of the slots; resolves once its
   * replica is promoted on every live node and every live node says cluster_state:ok. The
   * killed node stays down (and that third has no replica) until `restartNode(port)`.
   */
  killMaster(masterIndex: number): Promise<Takeover>;
  /** Starts a killed node again; resolves once it has rejoined (as a replica) and the cluster is ok. */
  restartNode(port: number): Promise<void>;
  /** SIGKILLs every node: the whole cluster is gone (its folders stay until `stop()`). */
  killAll(): Promise<void>;
  /** A cluster client for the test's own reads (closed by `stop()`). */
  client(): Cluster;
  /** Every key under `prefix`, on every master (SCAN, never KEYS). */
  keysUnder(prefix: string): Promise<string[]>;
  /** Deletes every key under `prefix`, on every master. */
  deleteKeysUnder(prefix: string): Promise<void>;
  /** Kills every node and removes their folders. */
  stop(): Promise<void>;
}

/** Options of `startRedisCluster`. */
export interface RedisClusterOptions {
  /** `cluster-node-timeout`: how long a master may be unreachable before it is failed over. Default 2000 ms. */
  nodeTimeoutMs?: number;
}

/** A port free now, with a second one free for the node's cluster bus (both below the ephemeral range). */
async function freePortPair(taken: Set<number>): Promise<[number, number]> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const bus = port + 1;
    if (taken.has(port) || taken.has(bus)) continue;
    if ((await portIsFree(port)) && (await portIsFree(bus))) {
      taken.add(port).add(bus);
      return [port, bus];
    }
  }
  throw new Error('no free ports found for a Redis Cluster node');
}

/** Parses `CLUSTER NODES`. */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id, address, flagText, master, , , , link, ...slotFields] = line.split(' ');
      const flags = flagText!.split(',');
      const slots: [number, number][] = [];
      for (const field of slotFields) {
        if (field.startsWith('[')) continue; // a slot being migrated or imported
        const [from, to] = field.split('-').map(Number);
        slots.push([from!, to ?? from!]);
      }
      return {
        id: id!,
        port: Number(/:(\d+)@/.exec(address!)?.[1]),
        role: flags.includes('master') ? 'master' : 'replica',
        ...(master && master !== '-' ? { masterId: master } : {}),
        failing: flags.includes('fail') || flags.includes('fail?'),
        connected: link === 'connected',
        slots,
      } satisfies ClusterNodeView;
    });
}

/**
 * Starts a Redis Cluster of six `redis-server`s (three masters, one replica each) on free ports,
 * with nothing kept on disk but each node's `nodes.conf`, and waits until every node says
 * cluster_state:ok and sees every other node.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<PrivateRedisCluster> {
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (version.error || spawnSync('redis-cli', ['--version']).error) {
    throw new Error(
      'this test starts its own Redis Cluster with redis-server and redis-cli, which are not installed (Debian/Ubuntu: sudo apt-get install redis-server)',
    );
  }
  // --cluster-port (the bus port chosen here, not port + 10000) came with Redis 7.0.
  const major = Number(/v=(\d+)\./.exec(version.stdout)?.[1]);
  if (!(major >= 7))
    throw new Error(`the Redis Cluster of the tests needs redis-server 7.0 or newer: ${version.stdout.trim()}`);
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-cluster-'));
  const taken = new Set<number>();
  const nodes: { port: number; bus: number; dir: string; child?: ChildProcess }[] = [];
  for (let i = 0; i < 6; i++) {
    const [port, bus] = await freePortPair(taken);
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    nodes.push({ port, bus, dir: nodeDir });
  }
  const admins = new Map<number, Redis>();
  const clients: Cluster[] = [];
  const url = nodes.map((n) => `redis://127.0.0.1:${n.port}`).join(',');

  /** A plain connection to one node, for CLUSTER commands. */
  const admin = (port: number): Redis => {
    let client = admins.get(port);
    if (!client) {
      client = new Redis(port, '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => 100,
        connectTimeout: 1000,
        commandTimeout: 2000,
      });
      client.on('error', () => undefined); // a killed node refuses: expected, callers retry
      admins.set(port, client);
    }
    return client;
  };
  const call = async (port: number, ...args: string[]): Promise<string> => {
    return String(await admin(port).call(args[0]!, ...args.slice(1)));
  };
  const alive = () => nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);

  const startNode = async (node: (typeof nodes)[number]): Promise<void> => {
    node.child = spawn(
      'redis-server',
      [
        '--port',
        String(node.port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(node.bus),
        '--cluster-config-file',
        join(node.dir, 'nodes.conf'),
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        // A replica syncs at once (not after the default 5 s wait for other replicas): until it
        // has, it cannot be promoted.
        '--repl-diskless-sync-delay',
        '0',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        node.dir,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await call(node.port, 'PING')) === 'PONG', {
      timeoutMs: 10_000,
      what: `cluster node on port ${node.port}`,
    });
  };

  const views = async (): Promise<Map<number, ClusterNodeView[]>> => {
    const out = new Map<number, ClusterNodeView[]>();
    for (const node of alive()) out.set(node.port, parseClusterNodes(await call(node.port, 'CLUSTER', 'NODES')));
    return out;
  };
  const ownerOf = (view: ClusterNodeView[], slot: number): ClusterNodeView | undefined =>
    view.find((n) => n.role === 'master' && n.slots.some(([from, to]) => slot >= from && slot <= to));

  /**
   * Every live node says cluster_state:ok, every live replica's link to its master is up (a
   * replica that has not synced cannot be promoted), every live node sees every other live node
   * connected and not failing, and all agree on who serves each third of the slots and on each
   * live node's role (and master); returns that agreed view.
   */
  const settled = async (): Promise<ClusterNodeView[] | false> => {
    const live = new Set(alive().map((n) => n.port));
    for (const port of live) {
      if (!(await call(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
      const replication = await call(port, 'INFO', 'replication');
      if (/^role:slave/m.test(replication) && !/^master_link_status:up/m.test(replication)) return false;
    }
    const all = await views();
    const roleOf = (view: ClusterNodeView[], port: number): string => {
      const node = view.find((n) => n.port === port);
      return node ? `${node.role} ${node.masterId ?? ''}` : 'unknown';
    };
    let agreed: ClusterNodeView[] | undefined;
    for (const [port, view] of all) {
      for (const n of view) {
        if (live.has(n.port) && (n.failing || (n.port !== port && !n.connected))) return false;
      }
      const owners = RANGE_SLOTS.map((slot) => ownerOf(view, slot)?.port);
      if (owners.some((p) => p === undefined || !live.has(p))) return false;
      if (agreed && RANGE_SLOTS.some((slot, i) => ownerOf(agreed!, slot)?.port !== owners[i])) return false;
      if (agreed && [...live].some((p) => roleOf(agreed!, p) !== roleOf(view, p))) return false;
      agreed ??= view;
    }
    return agreed ?? false;
  };
  /** What every live node says (CLUSTER INFO's state, CLUSTER NODES), for the message of a wait that failed. */
  const describeNodes = async (): Promise<string> => {
    const lines: string[] = [];
    for (const node of alive()) {
      try {
        const state = /cluster_state:\w+/.exec(await call(node.port, 'CLUSTER', 'INFO'))?.[0];
        lines.push(
          `node ${node.port}: ${state}`,
          ...(await call(node.port, 'CLUSTER', 'NODES'))
            .trim()
            .split('\n')
            .map((l) => `  ${l}`),
        );
      } catch (error) {
        lines.push(`node ${node.port}: ${(error as Error).message}`);
      }
    }
    return lines.join('\n');
  };
  /** waitFor, with what every node says when it times out. */
  const waitCluster = async <T>(check: () => Promise<T | false>, what: string, timeoutMs = 30_000): Promise<T> => {
    try {
      return await waitFor(check, { timeoutMs, intervalMs: 100, what });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await describeNodes()}`, { cause: error });
    }
  };
  const waitSettled = (what: string, timeoutMs = 30_000): Promise<ClusterNodeView[]> =>
    waitCluster(settled, what, timeoutMs);

  const masterAndReplica = async (
    masterIndex: number,
  ): Promise<{ master: ClusterNodeView; replica: ClusterNodeView }> => {
    const slot = RANGE_SLOTS[masterIndex];
    if (slot === undefined) throw new Error(`masterIndex must be 0, 1 or 2, got ${masterIndex}`);
    const view = await waitSettled('the cluster to be ok before a takeover');
    const master = ownerOf(view, slot)!;
    const live = new Set(alive().map((n) => n.port));
    const replica = view.find((n) => n.role === 'replica' && n.masterId === master.id && live.has(n.port));
    if (!replica) throw new Error(`the master on port ${master.port} has no live replica to take over`);
    return { master, replica };
  };

  const killAll = async (): Promise<void> => {
    await Promise.all(
      nodes.map(async ({ child }) => {
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }),
    );
  };
  const stop = async (): Promise<void> => {
    for (const client of clients) client.disconnect();
    for (const client of admins.values()) client.disconnect();
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const node of nodes) await startNode(node);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    // cluster_state:ok can come before every node has heard which nodes are replicas.
    await waitCluster(async () => {
      const view = await settled();
      return view && view.filter((n) => n.role === 'replica').length === 3;
    }, 'the new cluster (3 masters, 3 replicas) to be ok on every node');
  } catch (error) {
    await stop();
    throw error;
  }

  const cluster: PrivateRedisCluster = {
    ports: nodes.map((n) => n.port),
    url,
    masterPort: async (masterIndex) => (await masterAndReplica(masterIndex)).master.port,
    failover: async (masterIndex) => {
      const { master, replica } = await masterAndReplica(masterIndex);
      await call(replica.port, 'CLUSTER', 'FAILOVER');
      await waitCluster(async () => {
        const view = await settled();
        if (!view) return false;
        const owner = ownerOf(view, RANGE_SLOTS[masterIndex]!);
        const old = view.find((n) => n.id === master.id);
        return owner?.id === replica.id && old?.role === 'replica' && old.masterId === replica.id;
      }, `the replica on port ${replica.port} to take over`);
      return { from: master.port, to: replica.port };
    },
    killMaster: async (masterIndex) => {
      const { master, replica } = await masterAndReplica(masterIndex);
      const node = nodes.find((n) => n.port === master.port)!;
      const child = node.child!;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
      admins.get(master.port)?.disconnect();
      admins.delete(master.port);
      await waitCluster(
        async () => {
          const view = await settled();
          return view && ownerOf(view, RANGE_SLOTS[masterIndex]!)?.id === replica.id;
        },
        `the replica on port ${replica.port} to be promoted`,
        30_000 + 5 * nodeTimeoutMs,
      );
      return { from: master.port, to: replica.port };
    },
    restartNode: async (port) => {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no node of this cluster on port ${port}`);
      if (alive().includes(node)) return;
      await startNode(node);
      await waitCluster(async () => {
        const view = await settled();
        return view && view.find((n) => n.port === port)?.role === 'replica';
      }, `the node on port ${port} to rejoin as a replica`);
    },
    killAll,
    client: () => {
      const client = new Cluster(
        nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
        { redisOptions: { maxRetriesPerRequest: 2, connectTimeout: 1000 } },
      );
      client.on('error', () => undefined); // a killed node: the client moves on to the new master
      clients.push(client);
      return client;
    },
    keysUnder: async (prefix) => {
      const view = await waitSettled('the cluster to be ok before a SCAN');
      const keys: string[] = [];
      // Masters that serve slots: a killed one is still listed, as a failed master without any.
      for (const master of view.filter((n) => n.role === 'master' && !n.failing && n.slots.length > 0)) {
        let cursor = '0';
        do {
          const [next, batch] = await admin(master.port).scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
      }
      return keys;
    },
    deleteKeysUnder: async (prefix) => {
      const client = cluster.client();
      // One key per DEL: the keys of one call must share a slot on a cluster.
      for (const key of await cluster.keysUnder(prefix)) await client.del(key);
      client.disconnect();
    },
    stop,
  };
  return cluster;
}
