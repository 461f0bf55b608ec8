import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, type Redis } from 'ioredis';
import { ExportResultCode } from '@opentelemetry/core';
import { decodeHopRecord, newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { keysUnder, uniquePrefix } from '../../../test/support/redis';
import { freePort } from '../../../test/support/ports';
import { waitFor } from '../../../test/support/wait';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

const run = promisify(execFile);

/** A three-master Redis Cluster on free ports, as in docs TOOLCHAIN.md, owned by this suite. */
interface TestCluster {
  ports: number[];
  stop(): Promise<void>;
}

async function startCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      // Child processes, not --daemonize: the suite kills exactly what it started.
      children.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(nodeDir, 'nodes.conf'),
            '--cluster-node-timeout',
            '1000',
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            nodeDir,
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) {
      await waitFor(async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG', {
        timeoutMs: 10_000,
        what: `cluster node on port ${port}`,
      });
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      await waitFor(
        async () =>
          (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout.includes('cluster_state:ok'),
        { timeoutMs: 15_000, what: `cluster_state:ok on port ${port}` },
      );
    }
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// G4 in RELIABILITY.md: a run's keys share a hash tag, so the one-key script per run never
// crosses slots; a batch of many runs spreads over the masters and every hop lands.
describe('RedisHopExporter on a Redis Cluster', () => {
  const prefix = uniquePrefix('exp-cluster');
  const source = new SpanSource('deposit', 'deposit-1');
  let cluster: TestCluster;
  let reader: Cluster;
  let exporter: RedisHopExporter;

  beforeAll(async () => {
    cluster = await startCluster();
    reader = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    exporter = new RedisHopExporter({
      redisUrl: cluster.ports.map((p) => `redis://127.0.0.1:${p}`).join(','),
      keyPrefix: prefix,
    });
    await untilReady(exporter.client);
  });

  afterAll(async () => {
    await exporter?.shutdown();
    if (reader) {
      for (const node of reader.nodes('master')) {
        for (const key of await keysUnder(node, prefix)) await node.del(key);
      }
      reader.disconnect();
    }
    await cluster?.stop();
    await source.shutdown();
  });

  it('uses a Cluster client for a comma-separated redisUrl', () => {
    expect(exporter.client).toBeInstanceOf(Cluster);
  });

  it('stores every hop of 50 runs exported in one batch, spread over all masters, with no CROSSSLOT', async () => {
    const runs = Array.from({ length: 50 }, () => newRunId());
    const spans = runs.flatMap((runId, i) => source.hops(runId, 1 + (i % 3)));
    const hopCount = spans.length;

    const { result } = await exportSpans(exporter, spans);
    expect(result.error?.message).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(exporter.stats.snapshot()).toMatchObject({ written: hopCount, duplicates: 0, droppedTotal: 0 });

    for (const [i, runId] of runs.entries()) {
      const key = `${prefix}run:{${runId}}:hops`;
      const stored = await reader.hgetall(key);
      expect(Object.keys(stored)).toHaveLength(1 + (i % 3));
      for (const raw of Object.values(stored)) expect(decodeHopRecord(raw)?.runId).toBe(runId);
      const ttl = await reader.pttl(key);
      expect(ttl).toBeGreaterThan(3_500_000);
    }

    // The batch really crossed nodes: each master holds some of the runs, 50 keys in all.
    const perMaster = await Promise.all(
      reader.nodes('master').map(async (node: Redis) => (await keysUnder(node, prefix)).length),
    );
    console.log(`50 runs over the masters: ${perMaster.join(' + ')} keys`);
    expect(perMaster).toHaveLength(3);
    for (const count of perMaster) expect(count).toBeGreaterThan(0);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(50);

    // A replay of the whole batch across the cluster counts duplicates only.
    const replay = await exportSpans(exporter, spans);
    expect(replay.result.code).toBe(ExportResultCode.SUCCESS);
    expect(exporter.stats.snapshot()).toMatchObject({ written: hopCount, duplicates: hopCount, droppedTotal: 0 });
  });
});
