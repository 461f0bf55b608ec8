import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import { startHeaderRecorder, type HeaderRecorder } from '../support/header-recorder';
import { waitForHops } from '../support/hops';
import { probeOnce, writeConfig } from '../support/oamserver';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startNodeService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';
import { assertNodeForSdk3, installSdk3Service } from './support/sdk3-install';

interface GatewayStats {
  mode: string;
  sdk: { line: string; version: string; source: string };
  written: number;
  tokensWithheld: { request: number };
}

const traceIdOf = (traceparent: unknown) => (typeof traceparent === 'string' ? traceparent.split('-')[1] : undefined);

// hoptrace on the OpenTelemetry SDK 3.x line (@opentelemetry/sdk-trace 3, api 1.10, Node 22.15+),
// installed with npm as a user would (test/sdk3/service/package.json):
//   gateway (Express 5, ES module, the drop-in, which finds and uses the service's SDK 3)
//     --fetch--> backend (Express 5, CommonJS, its own SDK 3 setup with hoptrace's processor,
//                sampler and propagator)
//     --fetch--> a third party at 127.0.0.2 (outside HOPTRACE_PROPAGATE_TO=127.0.0.1)
// Judged by `hoptrace probe`, run by this Node too.
describe('OpenTelemetry SDK 3.x', () => {
  const prefix = uniquePrefix('sdk3');
  let dir: string;
  let npmOutput: string;
  let redis: Redis;
  let outside: HeaderRecorder;
  const services: RunningService[] = [];
  const gateways = new Map<string, RunningService>();
  let config: string;

  const gatewayStats = async (service: RunningService) =>
    (await (await fetch(`${service.url}/_hoptrace/stats`)).json()) as GatewayStats;

  beforeAll(async () => {
    assertNodeForSdk3();
    ({ dir, npmOutput } = await installSdk3Service());
    redis = testRedis();
    outside = await startHeaderRecorder('127.0.0.2');
    const env = { HOPTRACE_KEY_PREFIX: prefix, HOPTRACE_PROPAGATE_TO: '127.0.0.1' };
    const backend = (extra: Record<string, string> = {}) =>
      startNodeService({
        name: 'backend',
        cwd: dir,
        args: ['--require', './own-sdk.cjs', 'backend.cjs'],
        env: { ...env, ...extra },
      });
    const [ok, failing] = await Promise.all([backend(), backend({ FAIL: '1' })]);
    services.push(ok, failing);
    const gateway = (mode: string, next: string) =>
      startNodeService({
        name: 'gateway',
        cwd: dir,
        args: ['--import', '@hoptrace/instrument/register', 'app.mjs'],
        env: { ...env, HOPTRACE_MODE: mode, NEXT_URL: next },
      });
    for (const mode of ['probe-only', 'full']) {
      gateways.set(mode, await gateway(mode, `${ok.url}/work/7,${outside.url}/third-party`));
    }
    gateways.set('to-failing', await gateway('probe-only', `${failing.url}/work/7`));
    services.push(...gateways.values());
    const probe = (name: string, gatewayKey: string) => `
  - name: ${name}
    every: 1m
    timeout: 5s
    trigger:
      http: { method: GET, url: "${gateways.get(gatewayKey)!.url}/work/7", expectStatus: 200 }
    path: [gateway, backend]`;
    config = writeConfig(
      `storage: { keyPrefix: "${prefix}" }\nprobes:${probe('through-probe-only', 'probe-only')}${probe('through-full', 'full')}${probe('failing-backend', 'to-failing')}\n`,
    );
  }, 300_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await outside?.close();
    if (redis) {
      await deleteKeysUnder(redis, prefix);
      redis.disconnect();
    }
  });

  it('installs with npm beside api 1.10 and SDK 3, and the drop-in uses the service’s SDK 3', async () => {
    // hoptrace's own peer range admits api 1.10: npm refuses nothing (it only warns about the
    // drop-in's bundled 2.x packages, whose peer range stops below 1.10; they are not loaded).
    expect(npmOutput).not.toMatch(/ERESOLVE (unable|could not)/);
    expect(npmOutput).not.toMatch(/npm error/);
    for (const [mode, gateway] of [...gateways].filter(([key]) => key !== 'to-failing')) {
      const stats = await gatewayStats(gateway);
      expect(stats.mode).toBe(mode);
      expect(stats.sdk).toEqual({ line: '3.x', version: '3.1.1', source: 'service' });
    }
  });

  it.each(['probe-only', 'full'])(
    'records both hops, linked, and keeps the token from the third party (gateway in %s mode)',
    async (mode) => {
      const gateway = gateways.get(mode)!;
      const before = await gatewayStats(gateway);
      const probe = probeRequest({ probe: 'sdk3' });
      const res = await fetch(`${gateway.url}/work/7`, { headers: probe.headers });
      expect(res.status).toBe(200);

      const hops = await waitForHops(redis, prefix, probe.runId, 2);
      const byService = Object.fromEntries(hops.map((hop) => [hop.service, hop]));
      expect(Object.keys(byService).sort()).toEqual(['backend', 'gateway']);
      const [gatewayHop, backendHop] = [byService.gateway!, byService.backend!];
      expect(gatewayHop.traceId).toBe(probe.traceId);
      expect(gatewayHop.parentSpanId).toBe(probe.parentSpanId);
      expect(gatewayHop.operation).toBe('GET /work/:item');
      expect(backendHop.traceId).toBe(probe.traceId);
      // The backend's hop hangs off the gateway's call to it.
      expect(gatewayHop.exits?.map((exit) => exit.spanId)).toContain(backendHop.parentSpanId);
      expect(backendHop.status).toBe('ok');

      const thirdParty = await waitFor(
        () => outside.requests.find((r) => traceIdOf(r.headers.traceparent) === probe.traceId),
        { what: 'the third party’s request' },
      );
      expect(String(thirdParty.headers.baggage ?? '')).not.toContain(PROBE_BAGGAGE_KEY);
      const after = await gatewayStats(gateway);
      expect(after.tokensWithheld.request).toBe(before.tokensWithheld.request + 1);
    },
  );

  it('an ordinary request writes no hop record', async () => {
    const gateway = gateways.get('full')!;
    const before = await gatewayStats(gateway);
    const res = await fetch(`${gateway.url}/work/8`);
    expect(res.status).toBe(200);
    await waitFor(() => outside.requests.some((r) => r.path === '/third-party' && !r.headers.baggage), {
      what: 'the ordinary request to reach the third party',
    });
    expect((await gatewayStats(gateway)).written).toBe(before.written);
  });

  it('the Oamserver judges runs through SDK 3 services: ok in both modes, error at a failing backend', async () => {
    for (const name of ['through-probe-only', 'through-full']) {
      const { code, view } = await probeOnce(config, name);
      expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
      expect(code).toBe(0);
      expect(view.hops.map((hop) => hop.service)).toEqual(['gateway', 'backend']);
    }
    const { view } = await probeOnce(config, 'failing-backend');
    expect(view.verdict).toBe('error');
    expect(view.fault?.service).toBe('backend');
  });
});
