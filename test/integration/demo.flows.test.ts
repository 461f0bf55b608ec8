import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { readHops, waitForHops } from '../support/hops';
import { startDemo, type RunningDemo } from '../support/demo';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { sleep, waitFor } from '../support/wait';

const SUBSCRIBER = '4155550100';
const SYNTHETIC_PIN = '0000';
const JSON_HEADERS = { 'content-type': 'application/json' };

/** The three flows of demo/probes.yaml: how each is triggered, and the path it must take. */
const FLOWS = [
  {
    probe: 'deposit-voicemail',
    method: 'POST',
    path: `/calls/${SUBSCRIBER}/voicemail`,
    headers: JSON_HEADERS,
    body: JSON.stringify({ caller: '4155550199' }),
    expectStatus: 201,
    services: ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'],
  },
  {
    probe: 'retrieve-voicemail',
    method: 'GET',
    path: `/subscribers/${SUBSCRIBER}/messages`,
    headers: { 'x-pin': SYNTHETIC_PIN },
    body: undefined,
    expectStatus: 200,
    services: ['gateway', 'mailbox', 'retrieval', 'storage'],
  },
  {
    probe: 'update-greeting',
    method: 'PUT',
    path: `/subscribers/${SUBSCRIBER}/greeting`,
    headers: JSON_HEADERS,
    body: JSON.stringify({ text: 'Synthetic greeting from the integration test' }),
    expectStatus: 200,
    services: ['gateway', 'mailbox'],
  },
] as const;

interface NotifierStats {
  notifications: { sms: number; push: number; synthetic: number };
  recent: { messageId: string; synthetic: boolean; channel: string; probe: string | null }[];
}

// The whole demo platform, started by its launcher the way `pnpm demo` does (minus the
// Oamserver), with the three probe flows sent by hand as the Oamserver would send them.
describe('the voicemail demo flows', () => {
  const prefix = uniquePrefix('demo');
  // The platform's own keys under the test's prefix too, so that cleanup finds them and a demo
  // running on the same Redis is not touched.
  const vmPrefix = `${prefix}vm:`;
  let redis: Redis;
  let demo: RunningDemo;
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    redis = testRedis();
    demo = await startDemo(prefix);
    for (const [service, instances] of Object.entries(demo.urls)) urls[service] = instances[0]!;
    expect(Object.keys(urls).sort()).toEqual([
      'call-edge',
      'gateway',
      'mailbox',
      'notifier',
      'recorder',
      'retrieval',
      'storage',
    ]);
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }, 30_000);

  async function notifierStats(): Promise<NotifierStats> {
    return (await (await fetch(`${urls.notifier}/stats`)).json()) as NotifierStats;
  }

  for (const flow of FLOWS) {
    it(`${flow.probe}: a probe passes through ${flow.services.join(' → ')}, in that order`, async () => {
      const probe = probeRequest({ probe: flow.probe });
      const res = await fetch(`${urls.gateway}${flow.path}`, {
        method: flow.method,
        headers: { ...flow.headers, ...probe.headers },
        body: flow.body,
      });
      expect(res.status, await res.text()).toBe(flow.expectStatus);

      await waitForHops(redis, prefix, probe.runId, flow.services.length, 20_000);
      // Give a stray extra hop (a second call, a duplicate delivery) the time to show up.
      await sleep(500);
      const hops = (await readHops(redis, prefix, probe.runId)).sort((a, b) => a.startUs - b.startUs);
      expect(hops.map((hop) => hop.service)).toEqual(flow.services);
      for (const hop of hops) {
        expect(hop.traceId).toBe(probe.traceId);
        expect(hop.status).toBe('ok');
        expect(hop.instance).toBe(`${hop.service}-1`);
      }
    });
  }

  it('a probe deposit lands in the synthetic mailbox and notifies nobody; an ordinary one does both', async () => {
    const realMessages = `${vmPrefix}mailbox:${SUBSCRIBER}:messages`;
    const syntheticMessages = `${vmPrefix}synthetic:mailbox:${SUBSCRIBER}:messages`;
    const realBefore = await redis.lrange(realMessages, 0, -1);
    const syntheticBefore = await redis.llen(syntheticMessages);
    const statsBefore = await notifierStats();

    const probe = probeRequest({ probe: 'deposit-voicemail' });
    const res = await fetch(`${urls.gateway}/calls/${SUBSCRIBER}/voicemail`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...probe.headers },
      body: JSON.stringify({ caller: '4155550199' }),
    });
    expect(res.status).toBe(201);
    const { messageId } = (await res.json()) as { messageId: string };
    await waitForHops(redis, prefix, probe.runId, 5, 20_000); // the notifier has handled it

    expect(await redis.lrange(realMessages, 0, -1)).toEqual(realBefore);
    expect(await redis.llen(syntheticMessages)).toBe(syntheticBefore + 1);
    const stored = JSON.parse((await redis.lindex(syntheticMessages, 0))!) as { id: string };
    expect(stored.id).toBe(messageId);
    const statsAfter = await notifierStats();
    expect(statsAfter.notifications.sms).toBe(statsBefore.notifications.sms);
    expect(statsAfter.notifications.push).toBe(statsBefore.notifications.push);
    expect(statsAfter.notifications.synthetic).toBe(statsBefore.notifications.synthetic + 1);
    expect(statsAfter.recent[0]).toMatchObject({ messageId, synthetic: true, channel: 'none' });

    // The same call without a probe token is real traffic: real mailbox, a real SMS.
    const ordinary = await fetch(`${urls.gateway}/calls/${SUBSCRIBER}/voicemail`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ caller: '4155550199' }),
    });
    expect(ordinary.status).toBe(201);
    const real = (await ordinary.json()) as { messageId: string };
    await waitFor(async () => (await notifierStats()).notifications.sms === statsBefore.notifications.sms + 1, {
      what: 'the real SMS',
    });
    expect(JSON.parse((await redis.lindex(realMessages, 0))!)).toMatchObject({ id: real.messageId });
    expect(await redis.llen(syntheticMessages)).toBe(syntheticBefore + 1);
  });

  it("a probe greeting update changes the synthetic profile, never the subscriber's own", async () => {
    const realProfile = `${vmPrefix}subscriber:${SUBSCRIBER}`;
    const realGreeting = await redis.hget(realProfile, 'greeting');
    expect(realGreeting).toBeTruthy(); // seeded by the mailbox at start

    const probe = probeRequest({ probe: 'update-greeting' });
    const res = await fetch(`${urls.gateway}/subscribers/${SUBSCRIBER}/greeting`, {
      method: 'PUT',
      headers: { ...JSON_HEADERS, ...probe.headers },
      body: JSON.stringify({ text: 'probe greeting' }),
    });
    expect(res.status).toBe(200);
    expect(await redis.hget(realProfile, 'greeting')).toBe(realGreeting);
    expect(await redis.hget(`${vmPrefix}synthetic:subscriber:${SUBSCRIBER}`, 'greeting')).toBe('probe greeting');
  });
});
