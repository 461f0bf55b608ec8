import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Oamserver, parseProbeConfig, type IncidentEvent, type RunResult } from '@hoptrace/oamserver';
import { buildRun } from '../../packages/oamserver/test/support/hops';
import { resultAt } from '../../packages/oamserver/test/support/scenarios';
import { TEST_SECRET } from '../support/probe';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

// The config's `limits` (and incidents.serviceWideMinInstances) reach the parts they bound: an
// Oamserver built from a config with small caps, fed through its real verdict pipeline.

const admin = testRedis();
const prefixes: string[] = [];
const servers: Oamserver[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysUnder(admin, prefix);
  await admin.quit();
});

/** An Oamserver (not started: no schedule, no HTTP) from a config with `extra` sections. */
async function oamserver(extra: string, events: IncidentEvent[] = []): Promise<Oamserver> {
  const prefix = uniquePrefix('limits');
  prefixes.push(prefix);
  const config = await parseProbeConfig(`
storage: { keyPrefix: "${prefix}" }
metrics: { instanceLabels: [recorder] }
probes:
  - { name: deposit-voicemail, every: 1h, timeout: 5s, trigger: { http: { url: "http://127.0.0.1:9/" } }, path: [gateway, mailbox, recorder, storage, notifier] }
${extra}`);
  const server = new Oamserver({
    config,
    secret: TEST_SECRET,
    redisUrl: REDIS_URL,
    schedule: false,
    onIncident: (event) => events.push(event),
  });
  servers.push(server);
  await server.incidents.refresh();
  return server;
}

/**
 * A healthy round over four recorder instances, then recorder-1 and recorder-2 slow once each:
 * what the incidents made of it. Every run goes through the Oamserver's verdict pipeline
 * (statistics, baselines, metrics, incidents), as when its collector stores a verdict.
 */
async function twoInstancesSlow(extra: string): Promise<string[]> {
  const events: IncidentEvent[] = [];
  const server = await oamserver(extra, events);
  const startMs = Date.now() - 10 * 60_000;
  let n = 0;
  const run = (instance: string, slow: boolean): RunResult => {
    n += 1;
    const result = resultAt(
      { runId: `run-${n}`, firedAtMs: startMs + n * 10_000 },
      { hops: { recorder: { instance, ...(slow ? { workMs: 260 } : {}) } } },
    );
    expect(result.verdict).toBe(slow ? 'slow' : 'ok');
    return result;
  };
  for (const instance of ['recorder-1', 'recorder-2', 'recorder-3', 'recorder-4'])
    server.core.pipeline.handle(run(instance, false));
  server.core.pipeline.handle(run('recorder-1', true));
  server.core.pipeline.handle(run('recorder-2', true));
  await server.incidents.drain();
  return events.map((e) => `${e.type} ${e.incident.service}/${e.incident.instance ?? '*'} ${e.incident.kind}`);
}

describe('Oamserver: config limits reach what they bound', () => {
  it('incidents.serviceWideMinInstances 2: two distinct failing instances of four open the service-wide incident', async () => {
    expect(await twoInstancesSlow('incidents: { serviceWideMinInstances: 2 }')).toEqual([
      'incident.opened recorder/* slow',
    ]);
  });

  it('by default (3), the same two failing instances open nothing', async () => {
    expect(await twoInstancesSlow('')).toEqual([]);
  });

  it('limits.statsSeries, baselineSeries and peerAddresses bound the statistics, baselines and peer directory', async () => {
    const server = await oamserver('limits: { statsSeries: 100, baselineSeries: 100, peerAddresses: 100 }');
    const now = Date.now();
    for (let i = 0; i < 150; i++)
      server.core.stats.record(
        { probe: 'deposit-voicemail', service: 'recorder', instance: `recorder-${i}` },
        {
          atMs: now - 1000,
          outcome: 'ok',
          latencyMs: 20,
        },
      );
    expect(server.core.stats.size).toBe(100);

    // Each instance takes two baseline series (its own and its service's): 120 series, the first 20 dropped.
    for (let i = 0; i < 60; i++)
      server.core.baselines.record('deposit-voicemail', `svc-${i}`, `svc-${i}-1`, 20, now - 1000);
    expect(server.core.baselines.baseline('deposit-voicemail', 'svc-0', 'svc-0-1')).toBeUndefined();
    expect(server.core.baselines.baseline('deposit-voicemail', 'svc-10', 'svc-10-1')).toMatchObject({ samples: 1 });

    for (let i = 0; i < 150; i++) {
      const { hops } = buildRun({
        peers: { recorder: `10.0.0.${i}:7013` },
        hops: { recorder: { instance: `recorder-${i}` } },
      });
      server.core.peers.local.learn(hops);
    }
    expect(server.core.peers.local.size).toBe(100);
    expect(server.core.peers.lookup('10.0.0.149:7013')).toEqual({ service: 'recorder', instance: 'recorder-149' });
    expect(server.core.peers.lookup('10.0.0.0:7013')).toBeUndefined();
  });

  it('limits.metricInstancesPerService 2: the third instance is counted as (other)', async () => {
    const server = await oamserver('limits: { metricInstancesPerService: 2 }');
    const at = Date.now() - 60_000;
    ['recorder-1', 'recorder-2', 'recorder-3'].forEach((instance, i) =>
      server.core.pipeline.handle(
        resultAt({ runId: `run-${i}`, firedAtMs: at + i * 1000 }, { hops: { recorder: { instance } } }),
      ),
    );
    const lines = (await server.metrics.text())
      .split('\n')
      .filter((line) => line.startsWith('hoptrace_hop_instance_duration_seconds_count{'));
    expect(lines).toEqual([
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="recorder-1"} 1',
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="recorder-2"} 1',
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="(other)"} 1',
    ]);
  });
});
