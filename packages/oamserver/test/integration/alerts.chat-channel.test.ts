import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AlertDispatcher } from '../../src/alerts/alert-dispatcher';
import { chatChannel } from '../../src/alerts/channels/chat';
import { createAlertDispatcher } from '../../src/alerts/create-alert-dispatcher';
import { PluginChannel } from '../../src/alerts/plugin-channel';
import { parseProbeConfig } from '../../src/config/load-probe-config';
import { startCaptureServer, type CaptureServer } from '../support/capture-server';
import { openedEvent, resolvedEvent } from '../support/incident-events';

const PROBES = `probes:
  - name: deposit-voicemail
    trigger: { http: { url: 'http://127.0.0.1:7001/calls' } }
    path: [gateway, recorder, notifier]
`;

/** The dispatcher a config builds, with `env` as the environment. */
async function dispatcherFor(alerts: string, env: Record<string, string> = {}): Promise<AlertDispatcher> {
  const config = await parseProbeConfig(`${PROBES}alerts:\n${alerts}`);
  return createAlertDispatcher(config.alerts, { env: (name) => env[name], log: () => undefined });
}

/** Waits until `dispatcher` has finished `count` deliveries. */
function delivered(dispatcher: AlertDispatcher, count = 1) {
  return vi.waitFor(
    () => {
      const records = dispatcher.recentDeliveries();
      if (records.length < count) throw new Error(`${records.length} of ${count} deliveries finished`);
      return records;
    },
    { timeout: 15_000, interval: 20 },
  );
}

describe('chat channel to a real HTTP receiver', () => {
  let receiver: CaptureServer;
  let dispatcher: AlertDispatcher | undefined;
  let channel: PluginChannel | undefined;

  beforeAll(async () => {
    receiver = await startCaptureServer();
  });
  afterEach(async () => {
    await dispatcher?.stop();
    await channel?.stop();
    dispatcher = undefined;
    channel = undefined;
    receiver.requests.length = 0;
    receiver.answer({ status: 200, body: 'ok' });
  });
  afterAll(() => receiver.close());

  it('posts a Slack message (text and blocks) with links to the dashboard, the URL read from urlEnv', async () => {
    dispatcher = await dispatcherFor(
      `  dashboardUrl: https://hoptrace.example.com
  channels:
    - name: ops-slack
      chat: { urlEnv: SLACK_WEBHOOK_URL, format: slack, mention: '<!here>' }
`,
      { SLACK_WEBHOOK_URL: receiver.url },
    );
    dispatcher.dispatch(openedEvent());
    const [record] = await delivered(dispatcher);
    expect(record).toMatchObject({
      channel: 'ops-slack',
      outcome: 'delivered',
      attempts: 1,
      lastStatus: 200,
      detail: 'ok',
    });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    const body = request!.body as { text: string; blocks: Record<string, unknown>[] };
    expect(body.text).toBe(
      '<!here> OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: recorder took 412ms, budget 200ms',
    );
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions', 'context']);
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 OPEN deposit-voicemail: slow at recorder (recorder-2)', emoji: true },
    });
    expect(body.blocks[2]).toMatchObject({
      type: 'section',
      fields: expect.arrayContaining([
        { type: 'mrkdwn', text: '*Probe*\ndeposit-voicemail' },
        { type: 'mrkdwn', text: '*Service*\nrecorder' },
        { type: 'mrkdwn', text: '*Instance*\nrecorder-2' },
        { type: 'mrkdwn', text: '*Verdict*\nslow' },
      ]),
    });
    const incidentUrl = `https://hoptrace.example.com/incidents/${encodeURIComponent(openedEvent().incident.id)}`;
    expect(body.blocks[3]).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: incidentUrl },
        { type: 'button', text: { type: 'plain_text', text: 'Run r-1' }, url: 'https://hoptrace.example.com/runs/r-1' },
        { type: 'button', text: { type: 'plain_text', text: 'Run r-2' }, url: 'https://hoptrace.example.com/runs/r-2' },
      ],
    });
    expect(dispatcher.deliveryCounts()).toContainEqual({ channel: 'ops-slack', outcome: 'delivered', count: 1 });
  });

  it('posts a Teams Adaptive Card, in order: the opening before its resolution', async () => {
    dispatcher = await dispatcherFor(`  channels:
    - name: ops-teams
      chat: { url: '${receiver.url}', format: teams, mention: ops@contoso.com }
`);
    dispatcher.dispatch(openedEvent());
    dispatcher.dispatch(resolvedEvent());
    await delivered(dispatcher, 2);
    const cards = receiver.requests.map((r) => {
      const body = r.body as { type: string; attachments: { contentType: string; content: Record<string, unknown> }[] };
      expect(body.type).toBe('message');
      expect(body.attachments).toHaveLength(1);
      expect(body.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
      return body.attachments[0]!.content as { type: string; version: string; body: { text?: string }[] };
    });
    expect(cards.map((c) => [c.type, c.version])).toEqual([
      ['AdaptiveCard', '1.4'],
      ['AdaptiveCard', '1.4'],
    ]);
    expect(cards.map((c) => c.body[0]!.text)).toEqual([
      'OPEN deposit-voicemail: slow at recorder (recorder-2)',
      'RESOLVED deposit-voicemail: slow at recorder (recorder-2)',
    ]);
    expect(cards[0]!.body[1]!.text).toBe('<at>ops@contoso.com</at>');
  });

  it('retries a receiver answering 503, and fails at once on 400, keeping what it said', async () => {
    channel = new PluginChannel({
      name: 'ops-slack',
      plugin: chatChannel,
      options: { url: receiver.url, format: 'slack' },
      baseDelayMs: 10,
      maxDelayMs: 50,
    });
    receiver.answer({ status: 503, body: 'busy' }, { status: 200, body: 'ok' });
    channel.send(openedEvent());
    await vi.waitFor(() => expect(channel!.recentDeliveries()).toHaveLength(1), { timeout: 15_000 });
    expect(channel.recentDeliveries()[0]).toMatchObject({ outcome: 'delivered', attempts: 2, lastStatus: 200 });

    receiver.answer({ status: 400, body: 'invalid_payload' }, { status: 200 });
    channel.send(resolvedEvent());
    await vi.waitFor(() => expect(channel!.recentDeliveries()).toHaveLength(2), { timeout: 15_000 });
    expect(channel.recentDeliveries()[1]).toMatchObject({
      outcome: 'failed',
      attempts: 1,
      lastStatus: 400,
      lastError: 'answered HTTP 400: invalid_payload',
    });
    expect(receiver.requests).toHaveLength(3);
    expect(channel.counts()).toEqual({ delivered: 1, retried: 1, failed: 1, dropped: 0 });
  });
});
