import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@hoptrace/core';
import { createAlertDispatcher } from '../src/alerts/create-alert-dispatcher';
import { parseProbeConfig } from '../src/config/load-probe-config';

const FIXTURES = join(__dirname, 'fixtures', 'plugins');

const PROBES = `probes:
  - name: deposit-voicemail
    trigger: { http: { url: 'http://127.0.0.1:7001/calls' } }
    path: [gateway, recorder, notifier]
`;

async function issuesOf(text: string, baseDir = FIXTURES): Promise<Record<string, string>> {
  try {
    await parseProbeConfig(text, { source: 'probes.yaml', baseDir });
  } catch (error) {
    if (error instanceof ConfigError) {
      return Object.fromEntries(error.issues.map((i) => [i.path, `${i.line}: ${i.message}`]));
    }
    throw error;
  }
  throw new Error('the config was accepted');
}

/** Plugins written for one test, in a folder removed afterwards. */
const scratch = mkdtempSync(join(tmpdir(), 'hoptrace-channel-plugins-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writePlugin(file: string, type: string, kind: string): void {
  const body = type === 'trigger' ? 'fire: async () => ({ delivered: true })' : 'send: async () => undefined';
  writeFileSync(
    join(scratch, file),
    `const options = { '~standard': { version: 1, vendor: 't', validate: (value) => ({ value }) } };
export default { type: '${type}', kind: '${kind}', options, ${body} };
`,
  );
}

describe('alerts.channels in the probe config', () => {
  it('reads built-in and plugin channels, each with its kind and checked options', async () => {
    const config = await parseProbeConfig(
      `plugins: [./alert-channel-relay.mjs]
${PROBES}alerts:
  dashboardUrl: https://hoptrace.example.com/
  channels:
    - name: ops-chat
      chat: { urlEnv: SLACK_WEBHOOK_URL, format: slack, mention: '<!here>' }
    - name: ops-mail
      email:
        host: smtp.example.com
        port: 587
        from: 'hoptrace <hoptrace@example.com>'
        to: [ops@example.com, oncall@example.com]
        userEnv: SMTP_USER
        passwordEnv: SMTP_PASSWORD
      timeout: 20s
      maxAttempts: 3
    - name: relay
      relay: { url: 'http://127.0.0.1:9/x' }
`,
      { baseDir: FIXTURES },
    );
    expect(config.alerts?.dashboardUrl).toBe('https://hoptrace.example.com/');
    expect(config.alerts?.channels).toEqual([
      {
        name: 'ops-chat',
        kind: 'chat',
        options: { urlEnv: 'SLACK_WEBHOOK_URL', format: 'slack', mention: '<!here>' },
        timeout: 10_000,
        maxAttempts: 5,
      },
      {
        name: 'ops-mail',
        kind: 'email',
        options: {
          host: 'smtp.example.com',
          port: 587,
          from: 'hoptrace <hoptrace@example.com>',
          to: ['ops@example.com', 'oncall@example.com'],
          userEnv: 'SMTP_USER',
          passwordEnv: 'SMTP_PASSWORD',
        },
        timeout: 20_000,
        maxAttempts: 3,
      },
      // The plugin's own schema filled in its defaults.
      {
        name: 'relay',
        kind: 'relay',
        options: { url: 'http://127.0.0.1:9/x', mode: 'ok', label: 'relay' },
        timeout: 10_000,
        maxAttempts: 5,
      },
    ]);
    expect(config.plugins.map((p) => p.plugin.type)).toEqual(['alert-channel']);
  });

  it('reports unknown kinds, bad built-in and plugin options, each at its path and line', async () => {
    const issues = await issuesOf(`plugins: [./alert-channel-relay.mjs]
${PROBES}alerts:
  channels:
    - name: pager
      pagerduty: { routingKey: abc }
    - name: ops-mail
      email:
        host: smtp.example.com
        port: 587
        from: hoptrace
        to: [not-an-address]
        password: hunter2
    - name: relay
      relay: { url: 'ftp://x', mode: loud }
    - name: both
      chat: { url: 'https://hooks.slack.com/x', format: slack }
      email: { host: h, port: 25, from: a@b.example, to: [c@d.example] }
    - name: bad-chat
      chat: { url: 'https://hooks.slack.com/x', urlEnv: X, format: irc, mention: here }
      timeout: 10m
    - chat: { url: 'https://hooks.slack.com/x', format: teams }
`);
    expect(issues).toEqual({
      'alerts.channels.0.pagerduty': '9: unknown alert channel kind "pagerduty" (known: chat, email, relay)',
      'alerts.channels.1.email.from': expect.stringMatching(/^14: must be an e-mail address/),
      'alerts.channels.1.email.to.0': expect.stringMatching(/^15: must be an e-mail address/),
      'alerts.channels.1.email.password': '16: unknown key (check its spelling)',
      'alerts.channels.2.relay.url': '18: must be an http:// URL',
      'alerts.channels.2.relay.mode': '18: must be one of ok, throw, hang',
      'alerts.channels.3.email': '21: give exactly one alert channel kind (chat, email, relay), not chat and email',
      'alerts.channels.4.chat.format': expect.stringMatching(/^23: /),
      'alerts.channels.4.timeout': '24: 10m is longer than the maximum 2m',
      'alerts.channels.5.name': '25: give the channel a name (used in metrics and logs)',
    });
  });

  it('checks the mention against the format, and url against urlEnv', async () => {
    const issues = await issuesOf(`${PROBES}alerts:
  channels:
    - name: a
      chat: { url: 'https://hooks.slack.com/x', format: slack, mention: '@here' }
    - name: b
      chat: { format: teams }
    - name: c
      chat: { url: 'https://x.example/hook', format: teams, mention: 'ops team' }
`);
    expect(issues).toEqual({
      'alerts.channels.0.chat.mention': expect.stringMatching(/^8: write Slack mentions as Slack does/),
      'alerts.channels.1.chat.url': '10: give either url or urlEnv',
      'alerts.channels.2.chat.mention': '12: give a user principal name, e.g. ops@contoso.com',
    });
  });

  it('refuses a channel name used twice, across webhooks and channels, and "log"', async () => {
    const issues = await issuesOf(`${PROBES}alerts:
  webhooks:
    - { name: ops, url: 'https://hooks.example/a', secretEnv: OPS_SECRET }
  channels:
    - { name: ops, chat: { url: 'https://hooks.slack.com/x', format: slack } }
    - { name: mail, email: { host: h, port: 25, from: a@b.example, to: [c@d.example] } }
    - { name: mail, email: { host: h, port: 25, from: a@b.example, to: [c@d.example] } }
    - { name: log, chat: { url: 'https://hooks.slack.com/x', format: slack } }
`);
    expect(issues).toEqual({
      'alerts.channels.0.name': '9: "ops" is already the name of alerts.webhooks.0',
      'alerts.channels.2.name': '11: "mail" is already the name of alerts.channels.1',
      'alerts.channels.3.name': '12: "log" is the name of the log channel',
    });
  });

  it('says which plugins could not be loaded when a kind is unknown', async () => {
    const issues = await issuesOf(`plugins: [./no-such-plugin.mjs]
${PROBES}alerts:
  channels:
    - { name: relay, relay: { url: 'http://127.0.0.1:9/x' } }
`);
    expect(issues['plugins.0']).toMatch(/^1: cannot load plugin \.\/no-such-plugin\.mjs: file not found/);
    expect(issues['alerts.channels.0.relay']).toBe(
      '8: unknown alert channel kind "relay" (known: chat, email); plugins that could not be loaded: ./no-such-plugin.mjs',
    );
  });

  it('refuses a channel plugin whose kind is built in or already declared, but not one that shares a trigger kind', async () => {
    writePlugin('chat-again.mjs', 'alert-channel', 'chat');
    writePlugin('pager-1.mjs', 'alert-channel', 'pager');
    writePlugin('pager-2.mjs', 'alert-channel', 'pager');
    writePlugin('pager-trigger.mjs', 'trigger', 'pager');
    writePlugin('http-channel.mjs', 'alert-channel', 'http');
    const issues = await issuesOf(
      `plugins: [./chat-again.mjs, ./pager-1.mjs, ./pager-2.mjs, ./pager-trigger.mjs, ./http-channel.mjs]
${PROBES}`,
      scratch,
    );
    expect(issues).toEqual({
      'plugins.0': '1: ./chat-again.mjs declares the alert channel kind "chat", which is already built in',
      'plugins.2':
        '1: ./pager-2.mjs declares the alert channel kind "pager", which is already declared by ./pager-1.mjs',
    });
  });

  it('names what a module exports when it is no plugin of either type', async () => {
    writeFileSync(join(scratch, 'not-a-plugin.mjs'), "export default { type: 'notifier', kind: 'x' };\n");
    writeFileSync(
      join(scratch, 'half-channel.mjs'),
      "export default { type: 'alert-channel', kind: 'half', options: { '~standard': { validate: () => ({ value: 1 }) } } };\n",
    );
    const issues = await issuesOf(`plugins: [./not-a-plugin.mjs, ./half-channel.mjs]\n${PROBES}`, scratch);
    expect(issues['plugins.0']).toMatch(
      /its type is "notifier"; the export's type must be "trigger" or "alert-channel"/,
    );
    expect(issues['plugins.1']).toMatch(
      /does not export an alert-channel plugin \(docs\/plugins\.md\): send must be a function/,
    );
  });
});

describe('alerts.silences in the probe config', () => {
  it('reads one-off and daily silences, times as epoch ms and minutes of the day', async () => {
    const config = await parseProbeConfig(`${PROBES}alerts:
  silences:
    - match: { service: recorder, instance: recorder-2 }
      from: 2024-05-01T02:00:00Z
      until: 2024-05-01T06:00:00+02:00
      comment: disk swap
    - match: { probe: deposit-voicemail }
      daily: { from: "23:30", to: "01:00", timezone: Europe/Paris }
    - match: { instance: recorder-1 }
      daily: { from: "02:00", to: "24:00" }
`);
    expect(config.alerts?.silences).toEqual([
      {
        match: { service: 'recorder', instance: 'recorder-2' },
        fromMs: Date.parse('2024-05-01T02:00:00Z'),
        untilMs: Date.parse('2024-05-01T04:00:00Z'),
        comment: 'disk swap',
      },
      {
        match: { probe: 'deposit-voicemail' },
        daily: { fromMinute: 23 * 60 + 30, toMinute: 60, timezone: 'Europe/Paris' },
      },
      { match: { instance: 'recorder-1' }, daily: { fromMinute: 120, toMinute: 1440, timezone: 'UTC' } },
    ]);
  });

  it('reports a silence without match, with an empty match, without an end, and bad times, each at its line', async () => {
    const issues = await issuesOf(`${PROBES}alerts:
  silences:
    - until: 2024-05-01T04:00:00Z
    - match: {}
      until: 2024-05-01T04:00:00Z
    - match: { service: recorder }
    - match: { service: recorder, host: r2 }
      from: 2024-05-01T04:00:00Z
      until: 2024-05-01T03:00:00Z
    - match: { service: recorder }
      until: 2024-05-01 04:00
    - match: { service: recorder }
      daily: { from: "25:00", to: "02:00", timezone: Mars/Olympus }
    - match: { service: recorder }
      daily: { from: "02:00", to: "02:00" }
`);
    expect(issues).toEqual({
      'alerts.silences.0.match': '7: give match: the probe, service and/or instance the silence covers',
      'alerts.silences.1.match': expect.stringMatching(/^8: give at least one of probe, service, instance/),
      'alerts.silences.2': '10: give until (a silence that ends) or daily (a window each day)',
      'alerts.silences.3.match.host': '11: unknown key (check its spelling)',
      'alerts.silences.3.until': '13: must be later than from',
      'alerts.silences.4.until': expect.stringMatching(/^15: must be an ISO 8601 date-time with its zone/),
      'alerts.silences.5.daily.from': '17: "25:00" is not a time of day (write HH:MM, 00:00 to 23:59)',
      'alerts.silences.5.daily.timezone': '17: must be an IANA time zone, e.g. UTC, Europe/Paris, America/New_York',
      'alerts.silences.6.daily.to': '19: the window is empty: give a different time than from',
    });
  });

  it('refuses an until that is not after from', async () => {
    const issues = await issuesOf(`${PROBES}alerts:
  silences:
    - match: { service: recorder }
      from: 2024-05-01T04:00:00Z
      until: 2024-05-01T03:00:00Z
`);
    expect(issues).toEqual({ 'alerts.silences.0.until': '9: must be later than from' });
  });
});

describe('createAlertDispatcher with channels', () => {
  const noLog = () => undefined;

  it('builds one channel per entry, after the log channel and the webhooks', async () => {
    const config = await parseProbeConfig(
      `plugins: [./alert-channel-relay.mjs]
${PROBES}alerts:
  webhooks: [{ name: hook, url: 'https://hooks.example/a', secretEnv: HOOK_SECRET }]
  channels:
    - { name: chat, chat: { urlEnv: CHAT_URL, format: teams } }
    - { name: mail, email: { host: h, port: 25, from: a@b.example, to: [c@d.example] } }
    - { name: relay, relay: { url: 'http://127.0.0.1:9/x' } }
`,
      { baseDir: FIXTURES },
    );
    const env: Record<string, string> = { HOOK_SECRET: 's'.repeat(16), CHAT_URL: 'https://chat.example/hook' };
    const dispatcher = createAlertDispatcher(config.alerts, {
      env: (name) => env[name],
      log: noLog,
      plugins: config.plugins,
    });
    expect(dispatcher.channelNames).toEqual(['log', 'hook', 'chat', 'mail', 'relay']);
    await dispatcher.stop();
  });

  it('names every unset variable a channel needs, and a plugin that was not passed in', async () => {
    const config = await parseProbeConfig(
      `plugins: [./alert-channel-relay.mjs]
${PROBES}alerts:
  channels:
    - { name: chat, chat: { urlEnv: CHAT_URL, format: slack } }
    - { name: mail, email: { host: h, port: 25, from: a@b.example, to: [c@d.example], userEnv: SMTP_USER, passwordEnv: SMTP_PASSWORD } }
    - { name: relay, relay: { url: 'http://127.0.0.1:9/x' } }
`,
      { baseDir: FIXTURES },
    );
    const env: Record<string, string> = { SMTP_USER: 'hoptrace' };
    let error: unknown;
    try {
      // No `plugins`: the relay kind was checked by the config but cannot run.
      createAlertDispatcher(config.alerts, { env: (name) => env[name], log: noLog, source: 'probes.yaml' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { path: 'alerts.channels.0.chat', message: 'environment variable CHAT_URL is not set: channel "chat" needs it' },
      {
        path: 'alerts.channels.1.email',
        message: 'environment variable SMTP_PASSWORD is not set: channel "mail" needs it',
      },
      {
        path: 'alerts.channels.2.relay',
        message: 'no alert-channel plugin of kind "relay" is loaded (list it under plugins)',
      },
    ]);
  });
});
