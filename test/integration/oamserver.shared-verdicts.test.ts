import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PENDING_PARTITIONS } from '@hoptrace/core';
import { API_EVENTS, overviewSchema, runSummarySchema } from '@hoptrace/core/api';
import { Oamserver, RunStore, parseProbeConfig, type ProbeConfig } from '@hoptrace/oamserver';
import { resultAt } from '../../packages/oamserver/test/support/scenarios';
import { runsCounted } from '../support/oamserver';
import { TEST_SECRET } from '../support/probe';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

// Several Oamservers divide the runs among them (partition leases), and share their verdicts
// through the verdicts stream: each one's statistics (/api/stats), overview (/api/overview) and
// live events (/api/events) count every run, exactly once, whoever classified it. Real Redis, a
// real instrumented service, Oamservers in this process listening on ports.

const PROBE = 'shared';
const RUNS = 24;

/** The run ids of the `run` events a client of GET /api/events received so far. */
interface EventClient {
  runIds(): string[];
  close(): void;
}

function listen(url: string): Promise<EventClient> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/api/events`, { agent: false }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', () => undefined);
      resolve({
        runIds: () => {
          const ids: string[] = [];
          for (const block of text.split('\n\n').slice(0, -1)) {
            const lines = block.split('\n');
            if (!lines.includes(`event: ${API_EVENTS.run}`)) continue;
            const data = lines.find((l) => l.startsWith('data: '))!.slice('data: '.length);
            ids.push(runSummarySchema.parse(JSON.parse(data)).runId);
          }
          return ids;
        },
        close: () => res.destroy(),
      });
    });
    req.on('error', reject);
  });
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.json();
}

/** The probe's run count in /api/stats (15 minutes). */
async function statsCount(server: Oamserver): Promise<number> {
  const body = (await getJson(`${server.url}/api/stats?window=15m`)) as { probes: { probe: string; count: number }[] };
  return body.probes.find((p) => p.probe === PROBE)?.count ?? 0;
}

/** The probe's run count on the overview (15 minutes). */
async function overviewCount(server: Oamserver): Promise<number> {
  const overview = overviewSchema.parse(await getJson(`${server.url}/api/overview?window=15m`));
  return overview.probes.find((p) => p.name === PROBE)!.stats.count;
}

/** Runs this Oamserver classified itself, from its /metrics. */
async function classifiedBy(server: Oamserver): Promise<number> {
  return Object.values(await runsCounted(server.url, PROBE)).reduce((a, b) => a + b, 0);
}

describe('verdicts shared through Redis', () => {
  let redis: Redis;
  const services: RunningService[] = [];
  const servers: Oamserver[] = [];
  const clients: EventClient[] = [];
  const prefixes: string[] = [];
  const warnings: string[] = [];

  /** A prefix, its instrumented service `solo`, and a config whose one probe goes through it. */
  async function platform(label: string): Promise<{ prefix: string; config: ProbeConfig }> {
    const prefix = uniquePrefix(label);
    prefixes.push(prefix);
    const service = await startService('express5-esm', { name: 'solo', env: { HOPTRACE_KEY_PREFIX: prefix } });
    services.push(service);
    const config = await parseProbeConfig(`
server: { leaseTime: 1500ms }
storage: { keyPrefix: "${prefix}" }
probes:
  - { name: ${PROBE}, every: 1h, timeout: 5s, trigger: { http: { url: "${service.url}/work" } }, path: [solo] }
`);
    return { prefix, config };
  }

  async function startServer(config: ProbeConfig): Promise<Oamserver> {
    const server = new Oamserver({
      config,
      secret: TEST_SECRET,
      redisUrl: REDIS_URL,
      host: '127.0.0.1',
      port: 0,
      schedule: false,
      warn: (message) => warnings.push(message),
    });
    servers.push(server);
    await server.start();
    return server;
  }

  /**
   * Fires RUNS runs over HTTP, taking turns among `via`; resolves once each is classified and
   * announced (counted in the /metrics of the one that classified it).
   */
  async function fireRuns(prefix: string, via: Oamserver[]): Promise<string[]> {
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const res = await fetch(`${via[i % via.length]!.url}/api/probes/${PROBE}/runs`, { method: 'POST' });
      expect(res.status).toBe(202);
      runIds.push(((await res.json()) as { runId: string }).runId);
    }
    await waitFor(async () => (await Promise.all(via.map(classifiedBy))).reduce((x, y) => x + y, 0) >= RUNS, {
      timeoutMs: 20_000,
      what: 'every run to be classified',
    });
    const states = await Promise.all(runIds.map((id) => redis.hget(`${prefix}run:{${id}}`, 'state')));
    expect(states.every((state) => state === 'done')).toBe(true);
    return runIds;
  }

  /**
   * Waits until `server`'s feed has read every entry of the verdicts stream added since it started
   * (`before` entries were there already).
   */
  async function feedCaughtUp(prefix: string, server: Oamserver, before = 0): Promise<void> {
    await waitFor(
      async () => {
        const { own, peers, corrupt } = server.verdictFeed.counts();
        return before + own + peers + corrupt === (await redis.xlen(`${prefix}verdicts`));
      },
      { what: 'the Oamserver to read the whole verdicts stream' },
    );
  }

  beforeAll(() => {
    redis = testRedis();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(services.map((s) => s.stop()));
    for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it("two Oamservers divide the runs, and each one's statistics, overview and live events count every run once", async () => {
    const { prefix, config } = await platform('shared-two');
    const [a, b] = await Promise.all([startServer(config), startServer(config)]);
    // What follows a verdict, and what follows another Oamserver's.
    expect(a.core.pipeline.names).toEqual([
      'statistics',
      'baselines',
      'timeline',
      'metrics',
      'incidents',
      'live events',
    ]);
    expect(a.core.pipeline.peerNames).toEqual(['statistics', 'baselines', 'timeline', 'live events']);
    // Until each holds its share, half the partitions (a newcomer gets it within a few renewals):
    // then a run id falls to either with equal chances.
    await waitFor(
      async () => {
        const leases = await Promise.all(
          Array.from({ length: PENDING_PARTITIONS }, (_, p) => redis.get(`${prefix}{lease:${p}}`)),
        );
        const owners = leases.map((lease) => lease?.split(' ')[0]);
        const held = (owner: string) => owners.filter((o) => o === owner).length;
        return held(a.core.owner) === PENDING_PARTITIONS / 2 && held(b.core.owner) === PENDING_PARTITIONS / 2;
      },
      { timeoutMs: 20_000, what: 'the two Oamservers to divide the partitions' },
    );
    const events = await Promise.all([listen(a.url), listen(b.url)]);
    clients.push(...events);

    const runIds = await fireRuns(prefix, [a, b]);

    // Both classified some, and between them every run once (metrics are each one's own work).
    const classified = [await classifiedBy(a), await classifiedBy(b)];
    expect(classified[0]).toBeGreaterThan(0);
    expect(classified[1]).toBeGreaterThan(0);
    expect(classified[0]! + classified[1]!).toBe(RUNS);
    expect(await redis.xlen(`${prefix}verdicts`)).toBe(RUNS);

    for (const [i, server] of [a, b].entries()) {
      await feedCaughtUp(prefix, server);
      expect(server.verdictFeed.counts()).toEqual({
        own: classified[i],
        peers: RUNS - classified[i]!,
        corrupt: 0,
        readFailures: 0,
      });
      expect(await statsCount(server)).toBe(RUNS);
      expect(await overviewCount(server)).toBe(RUNS);
      await waitFor(() => events[i]!.runIds().length >= RUNS, { what: 'a live event for every run' });
      expect(events[i]!.runIds().sort()).toEqual([...runIds].sort());
    }
    expect(warnings).toEqual([]);
  });

  it('a single Oamserver counts each run once: its own, and those it warmed from storage at start', async () => {
    const { prefix, config } = await platform('shared-one');
    // Runs another process stored before this Oamserver started: in the stream, and warmed.
    const seeder = testRedis();
    const store = new RunStore(seeder, { keyPrefix: prefix, owner: 'an-earlier-oamserver' });
    const seeded = 5;
    for (let n = 0; n < seeded; n++) {
      const result = resultAt({
        runId: `0mxcy9v0d-${String(n).padStart(12, '0')}`,
        firedAtMs: Date.now() - 60_000 + n,
      });
      const run = { ...result.run, probe: PROBE };
      await store.createRun(run);
      expect(await store.finishRun({ ...result, run })).toBe('stored');
    }
    seeder.disconnect();
    const server = await startServer(config);
    expect(await statsCount(server)).toBe(seeded);
    const events = await listen(server.url);
    clients.push(events);

    const runIds = await fireRuns(prefix, [server]);

    expect(await classifiedBy(server)).toBe(RUNS);
    await feedCaughtUp(prefix, server, seeded);
    expect(server.verdictFeed.counts()).toEqual({ own: RUNS, peers: 0, corrupt: 0, readFailures: 0 });
    expect(await statsCount(server)).toBe(seeded + RUNS);
    expect(await overviewCount(server)).toBe(seeded + RUNS);
    await waitFor(() => events.runIds().length >= RUNS, { what: 'a live event for every run' });
    expect(events.runIds().sort()).toEqual([...runIds].sort());
    expect(warnings).toEqual([]);
  });
});
