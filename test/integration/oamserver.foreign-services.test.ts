import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunView } from '@hoptrace/oamserver';
import { freePort } from '../support/ports';
import { cliEnv, runCli, writeConfig } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';

// Services written by someone else (plain JavaScript Express apps, not built by us) started with
// the drop-in, named in a probe's path: `hoptrace probe` classifies them like the demo's.
describe('hoptrace probe on services it has never seen', () => {
  const prefix = uniquePrefix('foreign');
  let redis: Redis;
  const services: Record<string, RunningService> = {};
  let config: string;

  beforeAll(async () => {
    redis = testRedis();
    const env = { HOPTRACE_KEY_PREFIX: prefix };
    services.back = await startService('express4-cjs', {
      name: 'back',
      env: { ...env, OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=back-1' },
    });
    services.slowBack = await startService('express5-esm', { name: 'slow-back', env: { ...env, DELAY_MS: '300' } });
    services.front = await startService('express5-esm', {
      name: 'front',
      env: { ...env, NEXT_URL: `${services.back.url}/work` },
    });
    services.frontToFailing = await startService('express5-esm', {
      name: 'front',
      env: { ...env, NEXT_URL: `${services.back.url}/fail` },
    });
    services.frontToSlow = await startService('express5-esm', {
      name: 'front',
      env: { ...env, NEXT_URL: `${services.slowBack.url}/work` },
    });
    services.streamConsumer = await startService('express5-esm', {
      name: 'stream-consumer',
      env: { ...env, CONSUME_STREAM: `${prefix}inbound`, NEXT_URL: `${services.back.url}/work` },
    });
    const closedPort = await freePort();
    config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: healthy
    timeout: 3s
    trigger: { http: { url: ${services.front.url}/work, expectStatus: 200 } }
    path: [front, back]
    budget: { total: 2s }
  - name: to-nowhere
    timeout: 1500ms
    trigger: { http: { url: ${services.front.url}/work } }
    path: [front, back, ghost]
  - name: failing-back
    timeout: 1500ms
    trigger: { http: { url: ${services.frontToFailing.url}/work } }
    path: [front, back]
  - name: slow-back
    timeout: 3s
    trigger: { http: { url: ${services.frontToSlow.url}/work } }
    path: [front, slow-back]
    budget: { hops: { slow-back: 100ms } }
  - name: from-a-queue
    timeout: 3s
    trigger: { redisStream: { stream: "${prefix}inbound", fields: { kind: probe-test } } }
    path: [stream-consumer, back]
  - name: closed-door
    timeout: 1s
    trigger: { http: { url: "http://127.0.0.1:${closedPort}/work" } }
    path: [front, back]
`);
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await redis.del(`${prefix}inbound`);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  async function probe(name: string, env = cliEnv()) {
    const { code, stdout, stderr } = await runCli(['probe', name, '--config', config, '--json'], env);
    let view: RunView;
    try {
      view = JSON.parse(stdout);
    } catch {
      throw new Error(`hoptrace probe ${name} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
    }
    return {
      code,
      view: view as RunView & { fault: NonNullable<RunView['fault']>; facts: NonNullable<RunView['facts']> },
    };
  }

  it('ok: exit 0, and the JSON names every hop', async () => {
    const { code, view } = await probe('healthy', cliEnv({ JAEGER_UI_URL: 'http://jaeger.example:16686/' }));
    expect(view.verdict).toBe('ok');
    expect(code).toBe(0);
    expect(view).toMatchObject({ probe: 'healthy', state: 'done' });
    expect(view.runId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(view.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(view.fault).toBeUndefined();
    expect(view.hops.map((h) => h.service)).toEqual(['front', 'back']);
    for (const hop of view.hops) {
      expect(hop).toMatchObject({ operation: 'GET /work', status: 'ok' });
      expect(hop.durationMs).toBeGreaterThan(0);
      expect(typeof hop.instance).toBe('string');
    }
    expect(view.hops[1]!.instance).toBe('back-1');
    expect(view.jaegerUrl).toBe(`http://jaeger.example:16686/trace/${view.traceId}`);
  });

  it('lost: exit 1, names the first missing hop and the last hop reached', async () => {
    const { code, view } = await probe('to-nowhere');
    expect(code).toBe(1);
    expect(view.verdict).toBe('lost');
    expect(view.fault.service).toBe('ghost');
    expect(view.facts).toMatchObject({ firstMissingHop: 'ghost', lastHopReached: 'back', missingHops: ['ghost'] });
    expect(view.fault.reason).toMatch(/last reached back/);
  });

  it('error: exit 1, blames the service that failed (not its callers)', async () => {
    const { code, view } = await probe('failing-back');
    expect(code).toBe(1);
    expect(view.verdict).toBe('error');
    expect(view.fault).toMatchObject({ service: 'back', instance: 'back-1' });
    expect(view.fault.reason).toMatch(/500/);
  });

  it('slow: exit 1, names the hop over its budget', async () => {
    const { code, view } = await probe('slow-back');
    expect(code).toBe(1);
    expect(view.verdict).toBe('slow');
    expect(view.fault.service).toBe('slow-back');
    expect(view.fault.reason).toMatch(/budget 100ms/);
  });

  it('a run can start at a queue: a Redis Stream trigger, then the consumer and its callee', async () => {
    const { code, view } = await probe('from-a-queue');
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(code).toBe(0);
    expect(view.trigger).toMatchObject({ kind: 'redisStream', delivered: true });
    expect(view.hops.map((h) => [h.service, h.kind])).toEqual([
      ['stream-consumer', 'consumer'],
      ['back', 'server'],
    ]);
    expect(view.hops.every((h) => h.traceId === view.traceId)).toBe(true);
  });

  it('trigger-failed: exit 1 when the entry service cannot be reached', async () => {
    const { code, view } = await probe('closed-door');
    expect(code).toBe(1);
    expect(view.verdict).toBe('trigger-failed');
    expect(view.fault.service).toBe('front');
    expect(view.fault.reason).toMatch(/ECONNREFUSED/);
  });

  it('prints a readable run without --json', async () => {
    const { code, stdout } = await runCli(['probe', 'to-nowhere', '--config', config]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/to-nowhere\s+run \S+\s+lost at ghost/);
    expect(stdout).toMatch(/reason: no hop from ghost/);
    expect(stdout).toMatch(/front .*GET \/work/);
    expect(stdout).toMatch(/ghost .*missing/);
  });

  it('usage and configuration errors exit 2 with a clear message', async () => {
    const unknown = await runCli(['probe', 'no-such-probe', '--config', config]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no probe named "no-such-probe".*healthy/);

    const noSecret = await runCli(['probe', 'healthy', '--config', config], cliEnv({ HOPTRACE_SECRET: '' }));
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/HOPTRACE_SECRET is not set/);

    const noFile = await runCli(['probe', 'healthy', '--config', '/nonexistent/probes.yaml']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/cannot read \/nonexistent\/probes.yaml: file not found/);

    const noArgs = await runCli(['probe']);
    expect(noArgs.code).toBe(2);
  });
});
