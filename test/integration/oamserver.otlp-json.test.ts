import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ATTR_PROBE_NAME, ATTR_RUN_ID } from '@hoptrace/core';
import type { RunView } from '@hoptrace/oamserver';
import { cliEnv, runCli, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

// The Oamserver exports each run's root span over OTLP/HTTP; with OTEL_EXPORTER_OTLP_PROTOCOL=http/json
// it must speak JSON, which receivers without protobuf (our Jaeger stand-in) need. The receiver
// here answers protobuf with 415 and keeps nothing of it: a span it holds arrived as OTLP/JSON.
describe('the Oamserver exports root spans as OTLP/JSON', () => {
  const prefix = uniquePrefix('otlp-json');
  let redis: Redis;
  let receiver: OtlpReceiver;
  let service: RunningService;
  let oamserver: RunningOamserver;
  let configFile: string;

  beforeAll(async () => {
    redis = testRedis();
    receiver = await startOtlpReceiver();
    // A real service with the drop-in (not exporting to OTLP): the only spans the receiver gets are the Oamserver's.
    service = await startService('express5-esm', { name: 'front', env: { HOPTRACE_KEY_PREFIX: prefix } });
    configFile = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: one-hop
    every: 1h
    timeout: 3s
    trigger: { http: { url: "${service.url}/work", expectStatus: 200 } }
    path: [front]
`);
    oamserver = await startOamserver(
      configFile,
      cliEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Export within 100 ms instead of the default 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '100',
      }),
    );
  });

  afterAll(async () => {
    await oamserver?.stop();
    await service?.stop();
    await receiver?.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('sends the root span of a run, with its run id, to an OTLP/JSON receiver', async () => {
    const res = await fetch(`${oamserver.url}/api/probes/one-hop/runs?wait=1`, { method: 'POST' });
    expect(res.status).toBe(200);
    const run = (await res.json()) as RunView;
    expect(run.verdict).toBe('ok');

    const root = await waitFor(() => receiver.spans.find((s) => s.attributes[ATTR_RUN_ID] === run.runId), {
      what: `the root span of run ${run.runId} at the receiver`,
    });
    expect(root.service).toBe('hoptrace-oamserver');
    expect(root.name).toBe('probe one-hop');
    expect(root.traceId).toBe(run.traceId);
    expect(root.parentSpanId).toBe('');
    expect(root.attributes[ATTR_PROBE_NAME]).toBe('one-hop');
    // The run's first hop was called by this very span: Jaeger draws the run from its root.
    expect(run.hops.map((h) => [h.service, h.parentSpanId])).toEqual([['front', root.spanId]]);
  });

  it.each([
    ['serve', ['serve', '--config']],
    ['probe', ['probe', 'one-hop', '--config']],
  ])(
    '%s refuses OTEL_EXPORTER_OTLP_PROTOCOL=grpc at start, naming the variable and the accepted values',
    async (_, args) => {
      const { code, stdout, stderr } = await runCli(
        [...args, configFile],
        cliEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
      );
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        'hoptrace: OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported by hoptrace (use http/protobuf or http/json)',
      );
    },
  );

  it('lets OTEL_EXPORTER_OTLP_TRACES_PROTOCOL win, and names it when it is the bad one', async () => {
    const { code, stderr } = await runCli(
      ['serve', '--config', configFile],
      cliEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/xml' }),
    );
    expect(code).toBe(2);
    expect(stderr).toContain('hoptrace: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/xml" is not supported by hoptrace');
  });
});
