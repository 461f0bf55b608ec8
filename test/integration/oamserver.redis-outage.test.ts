import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, writeConfig } from '../support/oamserver';
import { uniquePrefix } from '../support/redis';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';
import { startService, type RunningService } from '../support/services';
import { Redis } from 'ioredis';
import { sleep, waitFor } from '../support/wait';

// Redis fails while a run is under way. hoptrace cannot tell what happened to the run: the verdict
// is `unknown`, never a fault blamed on a service, and the services keep answering.
describe('Redis failing mid-run', () => {
  const prefix = uniquePrefix('oam-outage');
  let redisServer: PrivateRedis;
  const services: RunningService[] = [];
  let config: string;

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    const env = { HOPTRACE_KEY_PREFIX: prefix, REDIS_URL: redisServer.url };
    // back answers after 1.5 s, so Redis can fail while the run is in flight.
    const back = await startService('express5-esm', { name: 'back', env: { ...env, DELAY_MS: '1500' } });
    const front = await startService('express5-esm', { name: 'front', env: { ...env, NEXT_URL: `${back.url}/work` } });
    services.push(front, back);
    config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: in-flight
    timeout: 3s
    trigger: { http: { url: ${front.url}/work } }
    path: [front, back]
`);
  });

  afterAll(async () => {
    redisServer?.resume();
    await Promise.all(services.map((s) => s.stop()));
    await redisServer?.stop();
  });

  /** Starts `hoptrace probe` and resolves once its run is recorded and under way (with the CLI's outcome to come). */
  async function probeInFlight(): Promise<{ outcome: ReturnType<typeof runCli> }> {
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    const before = await redis.zcard(`${prefix}runs:recent`);
    const done = runCli(['probe', 'in-flight', '--config', config, '--json'], cliEnv({ REDIS_URL: redisServer.url }));
    await waitFor(async () => (await redis.zcard(`${prefix}runs:recent`)) > before, { what: 'the run to be recorded' });
    redis.disconnect();
    await sleep(300); // the trigger is in flight: back answers 1.5 s after it arrives
    return { outcome: done };
  }

  it('Redis stopped mid-run: unknown (exit 3), no service blamed', async () => {
    const probe = await probeInFlight();
    await redisServer.kill();
    const { code, stdout, stderr } = await probe.outcome;
    const view = JSON.parse(stdout);
    expect(view.verdict, stderr).toBe('unknown');
    expect(code).toBe(3);
    expect(view.fault.service).toBe('(hoptrace)');
    expect(view.fault.instance).toBeUndefined();
    expect(view.facts.note).toMatch(/storage/);
    await redisServer.start();
  });

  it('Redis hung mid-run and back before the deadline: never a fault', async () => {
    const probe = await probeInFlight();
    redisServer.pause();
    await sleep(1500); // back answers meanwhile; its hop write times out
    redisServer.resume();
    const { code, stdout, stderr } = await probe.outcome;
    const view = JSON.parse(stdout);
    // Redis applies the hop writes it received while hung once it resumes (they may have timed
    // out on the services' side): then the run is complete and ok. If some were lost, the
    // verdict is unknown. Either way, no service is blamed.
    expect(['ok', 'unknown'], stderr).toContain(view.verdict);
    if (view.verdict === 'unknown') {
      expect(code).toBe(3);
      expect(view.facts.note).toMatch(/storage was unavailable during the run/);
    } else expect(code).toBe(0);
  });

  it('Redis restarted empty mid-run: unknown, the run is not left hanging', async () => {
    const probe = await probeInFlight();
    await redisServer.kill();
    await redisServer.start();
    const { code, stdout, stderr } = await probe.outcome;
    const view = JSON.parse(stdout);
    expect(view.verdict, stderr).toBe('unknown');
    expect(code).toBe(3);
  });

  it('the services answered throughout', async () => {
    const res = await fetch(`${services[0]!.url}/work`);
    expect(res.status).toBe(200);
    for (const service of services) expect(service.stderr()).not.toMatch(/Unhandled|TypeError/);
  });
});
