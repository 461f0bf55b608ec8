import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { readHops } from '../support/hops';
import { probeRequest } from '../support/probe';
import { uniquePrefix } from '../support/redis';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';
import { serviceStats, startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

const EXPORT_TIMEOUT_MS = 500;

interface Load {
  errors: number;
  maxLatencyMs: number;
  count: number;
}

/** Sends `total` requests, `concurrency` at a time, half of them probes; records errors and latency. */
async function load(url: string, total: number, concurrency = 10): Promise<Load> {
  const result: Load = { errors: 0, maxLatencyMs: 0, count: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const headers = i % 2 === 0 ? probeRequest().headers : {};
      const started = performance.now();
      try {
        const res = await fetch(`${url}/work`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) result.errors++;
      } catch {
        result.errors++;
      }
      result.maxLatencyMs = Math.max(result.maxLatencyMs, performance.now() - started);
      result.count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

const stats = serviceStats;

// The service's Redis stops, hangs, and comes back. Its users must not notice any of it.
describe('when Redis is down or hung, the service keeps answering', () => {
  const prefix = uniquePrefix('outage');
  let redisServer: PrivateRedis;
  let redis: Redis;
  let service: RunningService;

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined); // the test's own client sees the outage too
    service = await startService('express5-esm', {
      name: 'outage-svc',
      env: {
        REDIS_URL: redisServer.url,
        HOPTRACE_KEY_PREFIX: prefix,
        HOPTRACE_EXPORT_TIMEOUT_MS: String(EXPORT_TIMEOUT_MS),
      },
    });
  });

  afterAll(async () => {
    redisServer?.resume();
    await service?.stop();
    redis?.disconnect();
    await redisServer?.stop();
  });

  /** Sends probes until one's hop record lands: hops flow. */
  async function hopsFlow(): Promise<void> {
    await waitFor(
      async () => {
        const probe = probeRequest();
        await (await fetch(`${service.url}/work`, { headers: probe.headers })).arrayBuffer();
        await new Promise((r) => setTimeout(r, 400));
        return (await readHops(redis, prefix, probe.runId)).length === 1;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'hop records to flow' },
    );
  }

  it('writes hops while Redis is up', async () => {
    await hopsFlow();
  });

  it('with Redis stopped: no errors, latency unaffected, drops counted; hops flow again on restart', async () => {
    const before = await stats(service);
    await redisServer.kill();
    const result = await load(service.url, 200);
    expect(result).toMatchObject({ errors: 0, count: 200 });
    expect(result.maxLatencyMs).toBeLessThan(EXPORT_TIMEOUT_MS);
    const after = await waitFor(
      async () => {
        const s = await stats(service);
        return s.droppedTotal >= before.droppedTotal + 100 ? s : undefined;
      },
      { what: 'drops of the 100 probe hops to be counted' },
    );
    expect(after.dropped.redis_unavailable).toBeGreaterThan(0);

    await redisServer.start();
    await hopsFlow();
  });

  it('with Redis hung (SIGSTOP): no errors, latency unaffected, drops counted; hops flow again on SIGCONT', async () => {
    const before = await stats(service);
    redisServer.pause();
    try {
      const result = await load(service.url, 200);
      expect(result).toMatchObject({ errors: 0, count: 200 });
      expect(result.maxLatencyMs).toBeLessThan(EXPORT_TIMEOUT_MS);
      const after = await waitFor(
        async () => {
          const s = await stats(service);
          return s.droppedTotal > before.droppedTotal ? s : undefined;
        },
        { what: 'timeouts to be counted' },
      );
      expect(after.dropped.timeout).toBeGreaterThan(before.dropped.timeout ?? 0);
    } finally {
      redisServer.resume();
    }
    await hopsFlow();
  });

  it('printed nothing into the host but its own rate-limited warnings', () => {
    expect(service.stderr()).not.toMatch(/Unhandled|uncaught|TypeError|stack/i);
  });
});
