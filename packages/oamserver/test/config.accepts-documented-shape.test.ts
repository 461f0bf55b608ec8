import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProbeConfig, parseProbeConfig } from '../src/config/load-probe-config';

// The deposit-voicemail probe of the demo (demo/probes.yaml), as a user writes it.
const DEPOSIT_VOICEMAIL = `probes:
  - name: deposit-voicemail
    every: 10s
    timeout: 5s
    trigger:
      http:
        method: POST
        url: http://127.0.0.1:7001/calls/4155550100/voicemail
        body: { caller: '4155550199' }
        expectStatus: 201
    path: [gateway, mailbox, recorder, storage, notifier]
    budget: { total: 800ms, hops: { recorder: 200ms } }
`;

describe('parseProbeConfig: the documented shape', () => {
  it('reads the deposit-voicemail probe, durations in milliseconds, defaults filled in', async () => {
    const config = await parseProbeConfig(DEPOSIT_VOICEMAIL);
    expect(config).toEqual({
      server: { host: '127.0.0.1', port: 4400, leaseTime: 5000 },
      storage: { keyPrefix: 'hoptrace:', runTtl: 86_400_000, maxRuns: 10_000 },
      incidents: { openAfter: 2, resolveAfter: 3, retention: 7 * 86_400_000, serviceWideMinInstances: 3 },
      baseline: { factor: 3, floor: 100, minSamples: 20 },
      limits: {
        statsSeries: 20_000,
        baselineSeries: 20_000,
        metricInstancesPerService: 200,
        peerAddresses: 10_000,
        runsInFlight: 10_000,
      },
      plugins: [],
      probes: [
        {
          name: 'deposit-voicemail',
          enabled: true,
          every: 10_000,
          timeout: 5000,
          journey: false,
          path: ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'],
          // A probe of one step is checked as a journey of one step, named after the probe.
          steps: [
            {
              name: 'deposit-voicemail',
              trigger: {
                kind: 'http',
                options: {
                  method: 'POST',
                  url: 'http://127.0.0.1:7001/calls/4155550100/voicemail',
                  body: { caller: '4155550199' },
                  expectStatus: 201,
                },
              },
              path: ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'],
              budget: { total: 800, hops: { recorder: 200 } },
              timeout: 5000,
              poll: undefined,
              cleanup: false,
            },
          ],
        },
      ],
    });
  });

  it('returns a frozen config', async () => {
    expect(Object.isFrozen(await parseProbeConfig(DEPOSIT_VOICEMAIL))).toBe(true);
  });

  it('fills in the defaults of a minimal probe', async () => {
    const config = await parseProbeConfig(`probes:
  - name: ping
    trigger: { http: { url: 'https://example.test/ping' } }
    path: [gateway]
`);
    expect(config.probes[0]).toMatchObject({
      name: 'ping',
      enabled: true,
      every: 30_000,
      timeout: 5000,
      journey: false,
      path: ['gateway'],
      steps: [
        { name: 'ping', trigger: { kind: 'http', options: { method: 'GET', url: 'https://example.test/ping' } } },
      ],
    });
  });

  it('reads a Redis Stream trigger, with its defaults', async () => {
    const config = await parseProbeConfig(`server: { port: 0 }
storage: { keyPrefix: 'oam:', runTtl: 2h, maxRuns: 500 }
probes:
  - name: notify-only
    every: 1m
    trigger: { redisStream: { stream: 'voicemail:deposited' } }
    path: [notifier]
`);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 0, leaseTime: 5000 });
    expect(config.storage).toEqual({ keyPrefix: 'oam:', runTtl: 7_200_000, maxRuns: 500 });
    expect(config.probes[0]!.every).toBe(60_000);
    expect(config.probes[0]!.steps[0]!.trigger).toEqual({
      kind: 'redisStream',
      options: { stream: 'voicemail:deposited', fields: {}, maxLen: 10_000 },
    });
  });
});

describe('loadProbeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file', async () => {
    const file = join(dir, 'probes.yaml');
    writeFileSync(file, DEPOSIT_VOICEMAIL);
    expect((await loadProbeConfig(file)).probes.map((p) => p.name)).toEqual(['deposit-voicemail']);
  });

  it('a missing file is a clear config error that names the file', async () => {
    const file = join(dir, 'nope.yaml');
    let error: unknown;
    try {
      await loadProbeConfig(file);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      name: 'ConfigError',
      code: 'HOPTRACE_CONFIG_INVALID',
      issues: [{ path: '(file)', message: `cannot read ${file}: file not found` }],
    });
    expect((error as Error).message).toContain(`in ${file}`);
  });

  it('names the file in the errors of its content', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'probes: []\n');
    await expect(loadProbeConfig(file)).rejects.toThrow(`invalid configuration in ${file}`);
  });
});
