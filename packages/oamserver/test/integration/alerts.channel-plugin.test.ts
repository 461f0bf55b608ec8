import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AlertDispatcher } from '../../src/alerts/alert-dispatcher';
import { createAlertDispatcher } from '../../src/alerts/create-alert-dispatcher';
import { loadProbeConfig } from '../../src/config/load-probe-config';
import { OamMetrics } from '../../src/http/metrics';
import { startCaptureServer, type CaptureServer } from '../support/capture-server';
import { openedEvent } from '../support/incident-events';

const RELAY = join(__dirname, '..', 'fixtures', 'plugins', 'alert-channel-relay.mjs');

interface Relayed {
  event: { type: string; incident: { id: string }; text: string };
  state: { opened: string };
  attempt: number;
  deliveryId: string;
  timeoutMs: number;
  links: { incident: string; runs: string[] } | null;
}

// A user's alert-channel plugin (test/fixtures/plugins/alert-channel-relay.mjs), named in a
// probe config file, loaded and run by hoptrace; it relays what it gets to a real HTTP receiver.
describe('an alert-channel plugin loaded through the probe config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-relay-'));
  let receiver: CaptureServer;
  let dispatcher: AlertDispatcher | undefined;

  beforeAll(async () => {
    receiver = await startCaptureServer();
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    receiver.requests.length = 0;
  });
  afterAll(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a config naming the relay plugin with these channels, loads it, builds its dispatcher and metrics. */
  async function start(channels: string) {
    const file = join(dir, 'probes.yaml');
    writeFileSync(
      file,
      `plugins: [${JSON.stringify(RELAY)}]
probes:
  - name: deposit-voicemail
    trigger: { http: { url: 'http://127.0.0.1:7001/calls' } }
    path: [gateway, recorder, notifier]
alerts:
  dashboardUrl: https://hoptrace.example.com
  channels:
${channels}`,
    );
    const config = await loadProbeConfig(file);
    const warnings: string[] = [];
    dispatcher = createAlertDispatcher(config.alerts, {
      env: () => undefined,
      log: () => undefined,
      warn: (message) => warnings.push(message),
      plugins: config.plugins,
    });
    const metrics = new OamMetrics({
      probes: ['deposit-voicemail'],
      storageUp: () => true,
      alertDeliveries: () => dispatcher!.deliveryCounts(),
    });
    /** hoptrace_alert_deliveries_total{channel} by outcome, as scraped. */
    const scraped = async (channel: string): Promise<Record<string, number>> => {
      const counts: Record<string, number> = {};
      const pattern = new RegExp(
        `^hoptrace_alert_deliveries_total\\{channel="${channel}",outcome="(\\w+)"\\} (\\d+)$`,
        'gm',
      );
      for (const match of (await metrics.text()).matchAll(pattern)) counts[match[1]!] = Number(match[2]);
      return counts;
    };
    const finished = () =>
      vi.waitFor(
        () => {
          const [record] = dispatcher!.recentDeliveries();
          if (!record) throw new Error('no delivery has finished yet');
          return record;
        },
        { timeout: 20_000, interval: 20 },
      );
    return { dispatcher, warnings, scraped, finished };
  }

  it('receives each event as webhooks do, with its state, a delivery id and dashboard links', async () => {
    const { dispatcher, scraped, finished } = await start(
      `    - { name: relay, relay: { url: '${receiver.url}', label: team-a } }\n`,
    );
    dispatcher.dispatch(openedEvent());
    expect(await finished()).toMatchObject({
      channel: 'relay',
      outcome: 'delivered',
      attempts: 1,
      detail: 'relayed as relay/team-a',
    });
    expect(receiver.requests).toHaveLength(1);
    const relayed = receiver.requests[0]!.body as Relayed;
    expect(relayed.event).toEqual({
      ...openedEvent(),
      text: 'OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: recorder took 412ms, budget 200ms',
    });
    expect(relayed.state).toEqual({ opened: 'relay/team-a' });
    expect(relayed).toMatchObject({ attempt: 1, timeoutMs: 10_000 });
    expect(relayed.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(relayed.links?.incident).toBe(
      `https://hoptrace.example.com/incidents/${encodeURIComponent(openedEvent().incident.id)}`,
    );
    expect(await scraped('relay')).toEqual({ delivered: 1, retried: 0, failed: 0, dropped: 0 });
  });

  it('retries a plugin that throws, then fails: counted in the metric and warned about', async () => {
    const { dispatcher, warnings, scraped, finished } = await start(
      `    - { name: relay-throw, relay: { url: '${receiver.url}', mode: throw }, maxAttempts: 3 }\n`,
    );
    dispatcher.dispatch(openedEvent());
    expect(await finished()).toMatchObject({
      channel: 'relay-throw',
      outcome: 'failed',
      attempts: 3,
      lastError: 'relay refused attempt 3',
    });
    const attempts = receiver.requests.map((r) => r.body as Relayed);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((a) => a.deliveryId)).size).toBe(1);
    expect(await scraped('relay-throw')).toEqual({ delivered: 0, retried: 2, failed: 1, dropped: 0 });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^alert channel "relay-throw" \(relay\): incident\.opened of incident .* failed after 3 attempt\(s\): relay refused attempt 3$/,
      ),
    ]);
  });

  it('gives up an attempt that hangs at the channel timeout', async () => {
    const { dispatcher, scraped, finished } = await start(
      `    - { name: relay-hang, relay: { url: '${receiver.url}', mode: hang }, timeout: 200ms, maxAttempts: 2 }\n`,
    );
    dispatcher.dispatch(openedEvent());
    expect(await finished()).toMatchObject({
      channel: 'relay-hang',
      outcome: 'failed',
      attempts: 2,
      lastError: 'no answer within 200ms',
    });
    expect(receiver.requests.map((r) => (r.body as Relayed).attempt)).toEqual([1, 2]);
    expect(await scraped('relay-hang')).toEqual({ delivered: 0, retried: 1, failed: 1, dropped: 0 });
  });
});
