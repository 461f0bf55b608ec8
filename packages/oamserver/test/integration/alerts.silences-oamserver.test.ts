import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { AlertDispatcher } from '../../src/alerts/alert-dispatcher';
import { createAlertDispatcher } from '../../src/alerts/create-alert-dispatcher';
import { parseProbeConfig } from '../../src/config/load-probe-config';
import type { ProbeConfig } from '../../src/config/probe-config-schema';
import { Oamserver } from '../../src/oamserver';
import { startCaptureServer, type CaptureServer } from '../support/capture-server';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'silences-test-secret-0123456789abcdef';

interface IncidentView {
  probe: string;
  service: string;
  kind: string;
  state: string;
}

// A real Oamserver (real Redis, real HTTP trigger) whose two probes both fail at once: every run
// is lost, since no service reports a hop. One probe is under a silence. Both incidents open;
// only the other one reaches the chat receiver, and the log still has both.
describe('silences on a running Oamserver', () => {
  const prefix = `hoptrace-silences-${randomBytes(4).toString('hex')}:`;
  let trigger: Server;
  let receiver: CaptureServer;
  let dispatcher: AlertDispatcher;
  let server: Oamserver;
  let config: ProbeConfig;
  const logged: { fields: Record<string, unknown>; message: string }[] = [];

  beforeAll(async () => {
    trigger = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => trigger.listen(0, '127.0.0.1', resolve));
    const triggerUrl = `http://127.0.0.1:${(trigger.address() as AddressInfo).port}/calls`;
    receiver = await startCaptureServer();
    config = await parseProbeConfig(`
storage: { keyPrefix: "${prefix}" }
incidents: { openAfter: 1, resolveAfter: 3 }
probes:
  - { name: quiet-probe, every: 1h, timeout: 300ms, trigger: { http: { url: "${triggerUrl}" } }, path: [ghost] }
  - { name: loud-probe, every: 1h, timeout: 300ms, trigger: { http: { url: "${triggerUrl}" } }, path: [ghost] }
alerts:
  channels:
    - { name: ops-chat, chat: { url: "${receiver.url}", format: slack } }
  silences:
    - match: { probe: quiet-probe }
      until: 2999-01-01T00:00:00Z
      comment: planned maintenance
    - match: { probe: loud-probe }
      until: 2000-01-01T00:00:00Z
      comment: long over
`);
    dispatcher = createAlertDispatcher(config.alerts, {
      env: () => undefined,
      log: (_level, fields, message) => logged.push({ fields, message }),
    });
    server = new Oamserver({
      config,
      secret: SECRET,
      redisUrl: REDIS_URL,
      host: '127.0.0.1',
      port: 0,
      schedule: false,
      alerts: dispatcher,
    });
    await server.start();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    await new Promise((resolve) => trigger?.close(resolve));
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }, 30_000);

  async function openIncidents(): Promise<IncidentView[]> {
    const response = await fetch(`${server.url}/api/incidents?state=open`);
    return ((await response.json()) as { incidents: IncidentView[] }).incidents;
  }

  it('holds the silenced probe’s incident back from the channel, and keeps the incident open', async () => {
    const [quiet, loud] = config.probes;
    await server.fireNow(quiet!);
    await server.fireNow(loud!);

    // The loud probe's alert arriving shows the whole path works, so the quiet one's absence means something.
    const message = await vi.waitFor(
      () => {
        const found = receiver.requests.find((r) => JSON.stringify(r.body).includes('loud-probe'));
        if (!found) throw new Error('no chat message for loud-probe yet');
        return found.body as { text: string };
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(message.text).toMatch(/^OPEN lost at ghost on loud-probe/);
    const open = await vi.waitFor(
      async () => {
        const incidents = await openIncidents();
        if (incidents.length < 2) throw new Error(`${incidents.length} incident(s) open`);
        return incidents;
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(open.map((i) => [i.probe, i.service, i.state]).sort()).toEqual([
      ['loud-probe', 'ghost', 'open'],
      ['quiet-probe', 'ghost', 'open'],
    ]);
    await vi.waitFor(
      () => expect(dispatcher.deliveryCounts()).toContainEqual({ channel: 'ops-chat', outcome: 'silenced', count: 1 }),
      { timeout: 20_000, interval: 50 },
    );

    expect(receiver.requests.filter((r) => JSON.stringify(r.body).includes('quiet-probe'))).toEqual([]);
    expect(dispatcher.deliveryCounts()).toContainEqual({ channel: 'ops-chat', outcome: 'delivered', count: 1 });
    expect(dispatcher.deliveryCounts()).toContainEqual({ channel: 'log', outcome: 'silenced', count: 1 });
    expect(dispatcher.recentDeliveries()).toContainEqual(
      expect.objectContaining({
        channel: 'ops-chat',
        outcome: 'silenced',
        silence: 'alerts.silences.0 (planned maintenance)',
      }),
    );
    // The log has both: the silenced one marked.
    const quietLine = logged.find((l) => (l.fields.incident as IncidentView).probe === 'quiet-probe');
    expect(quietLine?.fields).toMatchObject({ alert: 'incident.opened', silenced: true });
    expect(quietLine?.message).toMatch(/\[silenced by alerts\.silences\.0 \(planned maintenance\)\]$/);
    const loudLine = logged.find((l) => (l.fields.incident as IncidentView).probe === 'loud-probe');
    expect(loudLine?.fields).not.toHaveProperty('silenced');

    // Metrics show it too.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^hoptrace_alert_deliveries_total\{channel="ops-chat",outcome="silenced"\} 1$/m);
  });
});
