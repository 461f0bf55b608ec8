import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { probeOnce, writeConfig } from '../support/oamserver';
import { freePort } from '../support/ports';
import { deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';

// alpha --fetch--> beta --http.get--> gamma, each `hoptrace probe` a fresh Oamserver process (as
// after a restart), with nothing in Redis under this prefix at the start: the blame must come from
// what the run itself shows, then from what earlier runs left in Redis, never from memory. The
// services run in each of the drop-in's modes (full mode's OpenTelemetry instrumentations and
// probe-only's own tracing must both mark the refused call).
describe.each(['probe-only', 'full'] as const)('blame with no history (services %s)', (mode) => {
  const prefix = uniquePrefix(`blame-${mode}`);
  let redis: Redis;
  let config: string;
  let gammaPort: number;
  const services: Record<string, RunningService> = {};

  beforeAll(async () => {
    redis = testRedis();
    const env = { HOPTRACE_KEY_PREFIX: prefix, HOPTRACE_MODE: mode };
    gammaPort = await freePort();
    services.beta = await startService('express4-cjs', {
      name: 'beta',
      env: {
        ...env,
        NEXT_URL: `http://127.0.0.1:${gammaPort}/work`,
        OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=beta-1',
      },
    });
    services.alpha = await startService('express5-esm', {
      name: 'alpha',
      env: { ...env, NEXT_URL: `${services.beta.url}/work`, OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=alpha-1' },
    });
    config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: chain
    timeout: 2s
    trigger: { http: { url: ${services.alpha.url}/work } }
    path: [alpha, beta, gamma]
`);
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  const probe = async () => (await probeOnce(config, 'chain')).view;

  it('the third service never started, first run ever: lost at gamma, naming the address beta called', async () => {
    expect(await keysUnder(redis, prefix)).toEqual([]);
    const view = await probe();
    expect(view.verdict).toBe('lost');
    expect(view.fault).toEqual({
      service: 'gamma',
      reason: `beta (beta-1) called gamma at 127.0.0.1:${gammaPort}, and nothing answered there (connection refused, ECONNREFUSED)`,
    });
  });

  it('after runs that went through, a restarted Oamserver names the instance that is down (learned in Redis)', async () => {
    services.gamma = await startService('express4-cjs', {
      name: 'gamma',
      env: {
        HOPTRACE_KEY_PREFIX: prefix,
        PORT: String(gammaPort),
        OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=gamma-1',
      },
    });
    // A healthy run: the Oamserver that classifies it learns who answers at beta's address.
    expect((await probe()).verdict).toBe('ok');
    await services.beta!.stop();
    const view = await probe();
    expect(view.verdict).toBe('lost');
    expect(view.fault).toEqual({
      service: 'beta',
      instance: 'beta-1',
      reason: `alpha (alpha-1) called beta at beta-1 (${new URL(services.beta!.url).host}), and nothing answered there (connection refused, ECONNREFUSED)`,
    });
  });
});
