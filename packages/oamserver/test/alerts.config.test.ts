import { ConfigError } from '@hoptrace/core';
import { describe, expect, it } from 'vitest';
import { createAlertDispatcher } from '../src/alerts/create-alert-dispatcher';
import { parseProbeConfig } from '../src/config/load-probe-config';

const PROBES = `probes:
  - name: deposit-voicemail
    trigger: { http: { url: 'http://127.0.0.1:7001/calls' } }
    path: [gateway, recorder, notifier]
`;

const DOCUMENTED = `${PROBES}alerts:
  log: true
  webhooks:
    - name: ops
      url: https://hooks.example/hoptrace
      secretEnv: HOPTRACE_WEBHOOK_SECRET
      headers: { x-team: voicemail }
      timeout: 5s
      maxAttempts: 5
metrics:
  instanceLabels: [recorder, notifier]
`;

async function issuesOf(text: string): Promise<{ path: string; message: string; line?: number }[]> {
  try {
    await parseProbeConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('the config was accepted');
}

const noLog = () => undefined;

describe('probe config: alerts and metrics', () => {
  it('reads the documented alerts and metrics sections', async () => {
    const config = await parseProbeConfig(DOCUMENTED);
    expect(config.alerts).toEqual({
      log: true,
      webhooks: [
        {
          name: 'ops',
          url: 'https://hooks.example/hoptrace',
          secretEnv: 'HOPTRACE_WEBHOOK_SECRET',
          headers: { 'x-team': 'voicemail' },
          timeout: 5000,
          maxAttempts: 5,
        },
      ],
    });
    expect(config.metrics).toEqual({ instanceLabels: ['recorder', 'notifier'] });
  });

  it('fills in defaults, and leaves both sections out when absent', async () => {
    const config = await parseProbeConfig(`${PROBES}alerts:
  webhooks: [{ name: ops, url: 'http://127.0.0.1:9000/hook', secretEnv: OPS_SECRET }]
`);
    expect(config.alerts).toEqual({
      log: true,
      webhooks: [
        { name: 'ops', url: 'http://127.0.0.1:9000/hook', secretEnv: 'OPS_SECRET', timeout: 5000, maxAttempts: 5 },
      ],
    });
    expect(await parseProbeConfig(PROBES)).not.toHaveProperty('alerts');
    expect((await parseProbeConfig(`${PROBES}metrics: {}\n`)).metrics).toEqual({ instanceLabels: [] });
  });

  it('reports every problem at once, each at its field and line', async () => {
    const issues = await issuesOf(`${PROBES}alerts:
  log: yes please
  sms: true
  webhooks:
    - name: ops
      url: ftp://hooks.example/hoptrace
      secret: hunter2
      headers: { x-hoptrace-signature: forged, 'bad header': x }
      timeout: 1h
      maxAttempts: 0
    - name: ops
      url: https://hooks.example/other
      secretEnv: 1NOT-A-NAME
    - { name: log, url: 'https://x.example', secretEnv: S }
metrics:
  instanceLabels: [recoder]
  perRun: true
`);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, `${i.line}: ${i.message}`]));
    expect(byPath).toMatchObject({
      'alerts.log': expect.stringMatching(/^6: .*boolean/),
      'alerts.sms': '7: unknown key (check its spelling)',
      'alerts.webhooks.0.url': '10: must be an http:// or https:// URL',
      'alerts.webhooks.0.secret': '11: unknown key (check its spelling)',
      'alerts.webhooks.0.secretEnv': expect.stringMatching(/^9: /),
      'alerts.webhooks.0.headers.x-hoptrace-signature':
        '12: "x-hoptrace-signature" is set by hoptrace and cannot be configured',
      'alerts.webhooks.0.headers.bad header': '12: "bad header" is not a valid header name',
      'alerts.webhooks.0.timeout': '13: 1h is longer than the maximum 1m',
      'alerts.webhooks.0.maxAttempts': expect.stringMatching(/^14: /),
      'alerts.webhooks.1.name': '15: "ops" is already the name of alerts.webhooks.0',
      'alerts.webhooks.1.secretEnv': '17: must be an environment variable name, e.g. HOPTRACE_WEBHOOK_SECRET',
      'alerts.webhooks.2.name': '18: "log" is the name of the log channel',
      'metrics.instanceLabels.0': '20: "recoder" is in no probe\'s path',
      'metrics.perRun': '21: unknown key (check its spelling)',
    });
  });
});

const twoWebhooks = (
  await parseProbeConfig(`${PROBES}alerts:
  webhooks:
    - { name: ops, url: 'https://hooks.example/a', secretEnv: OPS_SECRET }
    - { name: team, url: 'https://hooks.example/b', secretEnv: TEAM_SECRET }
`)
).alerts;

describe('createAlertDispatcher', () => {
  const config = twoWebhooks;

  it('builds the log channel and one channel per webhook, secrets from the variables named', () => {
    const env: Record<string, string> = { OPS_SECRET: 'x'.repeat(16), TEAM_SECRET: 'y'.repeat(32) };
    const dispatcher = createAlertDispatcher(config, { env: (name) => env[name], log: noLog });
    expect(dispatcher.channelNames).toEqual(['log', 'ops', 'team']);
  });

  it('writes to the log only when there is no alerts section', () => {
    expect(createAlertDispatcher(undefined, { env: () => undefined, log: noLog }).channelNames).toEqual(['log']);
  });

  it('names every unset or short secret variable at once', () => {
    const env: Record<string, string> = { TEAM_SECRET: 'short' };
    let error: unknown;
    try {
      createAlertDispatcher(config, { env: (name) => env[name], log: noLog, source: 'probes.yaml' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('HOPTRACE_CONFIG_INVALID');
    expect((error as ConfigError).issues).toEqual([
      {
        path: 'alerts.webhooks.0.secretEnv',
        message: 'environment variable OPS_SECRET is not set: it must hold the signing secret of webhook "ops"',
      },
      {
        path: 'alerts.webhooks.1.secretEnv',
        message: 'environment variable TEAM_SECRET is shorter than 16 characters',
      },
    ]);
    expect((error as Error).message).toContain('in probes.yaml');
  });
});
