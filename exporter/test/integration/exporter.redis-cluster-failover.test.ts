import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { ExportResultCode } from '@opentelemetry/core';
import { newRunId } from '@hoptrace/core';
import { RedisHopExporter } from '../../src/index';
import { uniquePrefix } from '../../../test/support/redis';
import { startRedisCluster, type PrivateRedisCluster } from '../../../test/support/redis-cluster';
import { SpanSource, exportSpans, untilReady } from './support/hop-spans';

// Issue 13: the exporter's cluster client when a master's replica takes over. The hops written
// once it has must all land: with ioredis' auto-pipelining they did not (a batch is sent again
// after MOVED only when every command in it was redirected alike, and runs in different slots
// are not), and the promoted replica is a node the client has not talked to yet.
describe('RedisHopExporter when a Redis Cluster master fails over', () => {
  const prefix = uniquePrefix('exp-cluster-failover');
  const source = new SpanSource('deposit', 'deposit-1');
  let cluster: PrivateRedisCluster;
  let exporter: RedisHopExporter;
  let readerClient: Cluster | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 2000 });
    exporter = new RedisHopExporter({ redisUrl: cluster.url, keyPrefix: prefix });
    await untilReady(exporter.client);
  }, 60_000);

  afterAll(async () => {
    await exporter?.shutdown();
    await cluster?.deleteKeysUnder(prefix).catch(() => undefined);
    await cluster?.stop();
    await source.shutdown();
  }, 30_000);

  /** Exports one hop of each of 30 new runs (spread over every master) in one batch; returns the run ids. */
  async function exportRuns(): Promise<string[]> {
    const runs = Array.from({ length: 30 }, () => newRunId());
    const { result } = await exportSpans(
      exporter,
      runs.flatMap((runId) => source.hops(runId)),
    );
    const error = result.error as (Error & { cause?: Error }) | undefined;
    expect(error && `${error.message}: ${error.cause?.message}`).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    return runs;
  }

  async function expectStored(runs: string[]): Promise<void> {
    const reader = (readerClient ??= cluster.client());
    for (const runId of runs) expect(await reader.hlen(`${prefix}run:{${runId}}:hops`)).toBe(1);
  }

  it('writes every hop after a CLUSTER FAILOVER of each master (none dropped)', async () => {
    await expectStored(await exportRuns());
    for (const masterIndex of [0, 1, 2]) {
      await cluster.failover(masterIndex);
      await expectStored(await exportRuns());
    }
    expect(exporter.stats.snapshot()).toMatchObject({ written: 120, droppedTotal: 0 });
  }, 120_000);

  it('writes every hop once a killed master’s replica is promoted (none dropped after)', async () => {
    const before = exporter.stats.snapshot();
    const { from } = await cluster.killMaster(1);
    await expectStored(await exportRuns());
    expect(exporter.stats.snapshot()).toMatchObject({
      written: before.written + 30,
      droppedTotal: before.droppedTotal,
    });
    await cluster.restartNode(from);
    await expectStored(await exportRuns());
  }, 120_000);
});
