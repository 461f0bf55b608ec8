import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunView } from '@hoptrace/oamserver';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import { cliEnv, runCli, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

interface IncidentView {
  id: string;
  state: 'open' | 'resolved';
  probe: string;
  service: string;
  instance?: string;
  kind: string;
  startedAtMs: number;
  openedAtMs: number;
  lastSeenAtMs: number;
  runsAffected: number;
  worstMs?: number;
  typicalMs?: number;
  exampleRuns: string[];
  reason: string;
}

const WEBHOOK_SECRET = 'webhook-test-secret-0123456789';

// The demo with three instances of every service, watched by a real Oamserver (probe every
// second) that alerts a real webhook receiver. One recorder instance turns slow, then heals.
describe('incidents on one instance of three', () => {
  const prefix = uniquePrefix('incidents');
  let redis: Redis;
  let demo: RunningDemo;
  let receiver: WebhookReceiver;
  let oamserver: RunningOamserver;
  let configFile: string;

  beforeAll(async () => {
    redis = testRedis();
    demo = await startDemo(prefix, { instances: 3 });
    receiver = await startWebhookReceiver(WEBHOOK_SECRET);
    // openAfter 1: with three instances behind round-robin, each instance sees every third run,
    // so "within three runs of the fault" means the first faulty visit opens the incident.
    // Flapping is held back on the way out: three healthy visits in a row resolve it.
    configFile = writeConfig(`
storage: { keyPrefix: "${prefix}" }
incidents: { openAfter: 1, resolveAfter: 3 }
alerts:
  webhooks:
    - { name: test-receiver, url: "${receiver.url}", secretEnv: TEST_WEBHOOK_SECRET }
probes:
  - name: deposit-voicemail
    every: 1s
    timeout: 3s
    trigger:
      http: { method: POST, url: "${demo.urls.gateway[0]}/calls/4155550100/voicemail", body: { caller: "4155550199" }, expectStatus: 201 }
    path: [gateway, mailbox, recorder, storage, notifier]
    budget: { total: 800ms, hops: { recorder: 200ms } }
`);
    oamserver = await startOamserver(configFile, cliEnv({ TEST_WEBHOOK_SECRET: WEBHOOK_SECRET }));
  }, 120_000);

  afterAll(async () => {
    await oamserver?.stop();
    await demo?.stop();
    await receiver?.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }, 30_000);

  async function runs(): Promise<RunView[]> {
    return ((await (await fetch(`${oamserver.url}/api/runs?limit=200`)).json()) as { runs: RunView[] }).runs;
  }
  async function incidents(state: 'open' | 'all'): Promise<IncidentView[]> {
    return (
      (await (await fetch(`${oamserver.url}/api/incidents?state=${state}`)).json()) as { incidents: IncidentView[] }
    ).incidents;
  }

  it('opens an incident naming recorder and the slow instance within 3 runs, blames no other instance, then resolves it', async () => {
    // A healthy, warm platform first: the first request to a fresh instance is slow (module
    // loading, JIT) and may open a short incident of its own; wait until the last six runs are
    // ok and nothing is open.
    await waitFor(
      async () => {
        const recent = (await runs()).slice(0, 6);
        return recent.length === 6 && recent.every((r) => r.verdict === 'ok') && (await incidents('open')).length === 0;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'a healthy platform with no open incident' },
    );
    const quietSince = Date.now();

    const slowInstance = demo.urls.recorder[1]!;
    const faultStartedAt = Date.now();
    await setFaults(slowInstance, { latencyMs: 400 });

    const incident = await waitFor(
      async () => (await incidents('open')).find((i) => i.service === 'recorder' && i.kind === 'slow'),
      { timeoutMs: 30_000, what: 'an open slow incident at recorder' },
    );
    expect(incident.instance).toBe('recorder-2');
    expect(incident.probe).toBe('deposit-voicemail');
    expect(incident.worstMs).toBeGreaterThan(400);
    expect(incident.reason).toMatch(/recorder took .*, budget 200ms/);

    // Runs fired after the fault started, up to the one that opened the incident.
    const sinceFault = (await runs()).filter(
      (r) => Date.parse(r.firedAt) >= faultStartedAt && Date.parse(r.firedAt) <= incident.lastSeenAtMs,
    );
    expect(sinceFault.length).toBeLessThanOrEqual(3);
    // The other recorder instances (and the recorder service as a whole) are not blamed.
    const open = await incidents('open');
    expect(open.filter((i) => i.service === 'recorder').map((i) => i.instance)).toEqual(['recorder-2']);

    // The webhook got the opening, signed.
    const opened = await waitFor(
      () => receiver.received.find((a) => a.body.type === 'incident.opened' && a.body.incident.id === incident.id),
      { what: 'the incident.opened webhook' },
    );
    expect(opened.signatureValid).toBe(true);
    expect(opened.body.incident).toMatchObject({
      service: 'recorder',
      instance: 'recorder-2',
      kind: 'slow',
      state: 'open',
    });

    // `hoptrace incidents` shows it.
    const cli = await runCli(['incidents', '--server', oamserver.url]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/OPEN .*deposit-voicemail\s+slow\s+recorder \(recorder-2\)/);
    // A CI gate or a cron check: --fail-on-open exits 1 while an incident is open.
    expect((await runCli(['incidents', '--server', oamserver.url, '--fail-on-open'])).code).toBe(1);

    // The incident survives a restart of the Oamserver.
    await oamserver.stop();
    oamserver = await startOamserver(configFile, cliEnv({ TEST_WEBHOOK_SECRET: WEBHOOK_SECRET }));
    expect((await incidents('open')).map((i) => i.id)).toEqual([incident.id]);

    // Heal it: three healthy visits of recorder-2 resolve the incident (on the new Oamserver).
    await setFaults(slowInstance, undefined);
    const resolved = await waitFor(
      () => receiver.received.find((a) => a.body.type === 'incident.resolved' && a.body.incident.id === incident.id),
      { timeoutMs: 40_000, what: 'the incident.resolved webhook' },
    );
    expect(resolved.signatureValid).toBe(true);
    expect(resolved.body.incident.state).toBe('resolved');
    expect(await incidents('open')).toEqual([]);
    expect((await runCli(['incidents', '--server', oamserver.url, '--fail-on-open'])).code).toBe(0);
    const all = await incidents('all');
    const final = all.find((i) => i.id === incident.id)!;
    expect(final.runsAffected).toBeGreaterThanOrEqual(1);
    expect(final.exampleRuns.length).toBeGreaterThanOrEqual(1);
    // No other instance was blamed once the platform was warm.
    expect(
      all.filter((i) => i.service === 'recorder' && i.instance !== 'recorder-2' && i.openedAtMs >= quietSince),
    ).toEqual([]);
  });
});
