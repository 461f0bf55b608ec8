import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { cliEnv, runsCounted, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, pendingCount, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

const RUNS = 6;

// An Oamserver crashes (SIGKILL) with runs pending; two new ones start on the same Redis. Every
// run is classified exactly once: none lost, none twice.
describe('an Oamserver restarted with runs pending', () => {
  const prefix = uniquePrefix('restart');
  let redis: Redis;
  let service: RunningService;
  let config: string;
  const servers: RunningOamserver[] = [];

  beforeAll(async () => {
    redis = testRedis();
    service = await startService('express5-esm', { name: 'solo', env: { HOPTRACE_KEY_PREFIX: prefix } });
    // `ghost` never reports, so every run stays pending until its deadline (3 s).
    config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: pending
    enabled: false
    timeout: 3s
    trigger: { http: { url: ${service.url}/work } }
    path: [solo, ghost]
`);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await service?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('classifies each run exactly once', async () => {
    const first = await startOamserver(config, cliEnv());
    servers.push(first);
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const res = await fetch(`${first.url}/api/probes/pending/runs`, { method: 'POST' });
      expect(res.status).toBe(202);
      runIds.push(((await res.json()) as { runId: string }).runId);
    }
    await first.kill();
    expect(await pendingCount(redis, prefix)).toBe(RUNS);

    const [second, third] = await Promise.all([startOamserver(config, cliEnv()), startOamserver(config, cliEnv())]);
    servers.push(second, third);
    await waitFor(async () => (await pendingCount(redis, prefix)) === 0, {
      timeoutMs: 15_000,
      what: 'every pending run to be classified',
    });
    for (const runId of runIds) {
      const stored = await redis.hgetall(`${prefix}run:{${runId}}`);
      expect(stored.state).toBe('done');
      expect(JSON.parse(stored.result!)).toMatchObject({ verdict: 'lost', fault: { service: 'ghost' } });
    }
    // Between them, the two new Oamservers announced (counted) each run once.
    const counted = [await runsCounted(second.url, 'pending'), await runsCounted(third.url, 'pending')];
    expect((counted[0]!.lost ?? 0) + (counted[1]!.lost ?? 0)).toBe(RUNS);
    expect(Object.keys({ ...counted[0], ...counted[1] })).toEqual(['lost']);
  });
});
