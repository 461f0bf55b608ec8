import { createSocket } from 'node:dgram';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadPlugin, type TriggerCarrier, type TriggerPlugin, type TriggerRun } from '@hoptrace/oamserver';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import { probeDemo, warmUp } from '../support/demo-probe';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

const DEMO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'demo');
const PATH = ['call-edge', 'gateway', 'mailbox', 'recorder', 'storage', 'notifier'];

/** Waits until an instance that was asked to crash no longer answers HTTP. */
async function waitDown(url: string): Promise<void> {
  await waitFor(
    () =>
      fetch(`${url}/healthz`).then(
        () => false,
        () => true,
      ),
    { what: `${url} to be down` },
  );
}

// The call-voicemail probe of demo/probes.yaml: a run that enters the platform as a SIP call,
// fired by the demo's own sip-call trigger plugin (demo/plugins/sip-call.mjs, loaded by the
// Oamserver from the config's `plugins` list), classified like any HTTP-triggered run.
describe('the call-voicemail probe (sip-call trigger) on the voicemail demo', () => {
  const prefix = uniquePrefix('sip-call-probe');
  let redis: Redis;
  let demo: RunningDemo;

  beforeAll(async () => {
    redis = testRedis();
    demo = await startDemo(prefix);
    // Fresh Node services are slow on their first requests: the verdicts below are about a warm platform.
    await warmUp(demo, 'call-voicemail', 3);
  }, 120_000);

  afterEach(async () => {
    for (const instances of Object.values(demo.urls)) {
      for (const url of instances) await setFaults(url, undefined).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await demo?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }, 30_000);

  it('a healthy platform gives ok: the call edge is the first hop, a consumer of the INVITE', async () => {
    const { code, view } = await probeDemo(demo, 'call-voicemail');
    expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
    expect(code).toBe(0);
    expect(view.hops.map((h) => h.service)).toEqual(PATH);
    expect(view.hops.every((h) => h.onTrace && h.status === 'ok')).toBe(true);
    expect(view.hops[0]).toMatchObject({ instance: 'call-edge-1', kind: 'consumer', operation: 'process INVITE' });
    // The gateway's hop was called from inside the call edge's.
    expect(view.hops[1]!.callerSpanId).toBe(view.hops[0]!.spanId);
    expect(view.trigger).toMatchObject({ kind: 'sip-call', delivered: true, ok: true, status: 200 });
    expect(view.trigger?.detail).toBe('INVITE → 100 Trying, 180 Ringing, 200 OK; ACK; BYE → 200 OK');
  });

  it('recorder latency above its budget gives slow at recorder', async () => {
    await setFaults(demo.urls.recorder[0]!, { latencyMs: 400 });
    const { code, view } = await probeDemo(demo, 'call-voicemail');
    expect(view.verdict).toBe('slow');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ service: 'recorder', instance: 'recorder-1' });
    expect(view.fault?.reason).toMatch(/recorder took \S+, budget 200ms/);
  });

  it('a delay at the call edge (the SIP answer held back) gives slow at call-edge', async () => {
    await setFaults(demo.urls['call-edge'][0]!, { latencyMs: 900 });
    const { code, view } = await probeDemo(demo, 'call-voicemail');
    expect(view.verdict).toBe('slow');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ service: 'call-edge', instance: 'call-edge-1' });
    expect(view.trigger).toMatchObject({ delivered: true, ok: true, status: 200 });
  });

  it('storage answering 500 gives error at storage, and the call is answered 500', async () => {
    await setFaults(demo.urls.storage[0]!, { errorRate: 1 });
    const { code, view } = await probeDemo(demo, 'call-voicemail');
    expect(view.verdict).toBe('error');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ service: 'storage', instance: 'storage-1' });
    expect(view.trigger).toMatchObject({ delivered: true, ok: false, status: 500 });
  });

  it('a call edge that answers and drops the call gives lost at call-edge, though the caller heard 200', async () => {
    await setFaults(demo.urls['call-edge'][0]!, { dropRate: 1 });
    const { code, view } = await probeDemo(demo, 'call-voicemail');
    expect(view.verdict).toBe('lost');
    expect(code).toBe(1);
    expect(view.fault).toMatchObject({ service: 'call-edge', instance: 'call-edge-1' });
    expect(view.fault?.reason).toMatch(/never called gateway/);
    expect(view.hops.map((h) => h.service)).toEqual(['call-edge']);
    expect(view.trigger).toMatchObject({ delivered: true, ok: true, status: 200 });
  });

  // Last: the instances stopped here stay down.
  it('recorder stopped gives lost at recorder: the gateway called it and nothing answered', async () => {
    await setFaults(demo.urls.recorder[0]!, { crash: true });
    await waitDown(demo.urls.recorder[0]!);
    const { code, view } = await probeDemo(demo, 'call-voicemail');
    expect(view.verdict).toBe('lost');
    expect(code).toBe(1);
    expect(view.fault?.service).toBe('recorder');
    expect(view.facts).toMatchObject({ firstMissingHop: 'recorder', lastHopReached: 'mailbox' });
    expect(view.hops.map((h) => h.service)).toEqual(['call-edge', 'gateway', 'mailbox']);
    expect(view.trigger).toMatchObject({ delivered: true, ok: false, status: 500 });
  });

  it('call edge stopped: nothing answers the INVITE, the run never enters, the fault is at call-edge', async () => {
    await setFaults(demo.urls['call-edge'][0]!, { crash: true });
    await waitDown(demo.urls['call-edge'][0]!);
    const { code, view } = await probeDemo(demo, 'call-voicemail');
    // UDP has no connection to refuse: the INVITE went out, nothing came back, no hop at all.
    // The classifier calls a trigger that reached nobody `trigger-failed`, at the first service.
    expect(view.verdict).toBe('trigger-failed');
    expect(code).toBe(1);
    expect(view.fault?.service).toBe('call-edge');
    expect(view.hops).toEqual([]);
    expect(view.trigger).toMatchObject({ kind: 'sip-call', delivered: false });
    expect(view.trigger?.error).toMatch(/^nothing answered the INVITE at 127\.0\.0\.1:\d+ \(sent \d+ times\)$/);
  });
});

// The plugin module as the Oamserver loads it, fired directly with a hand-made carrier: what
// it does when nothing answers, and that it never throws out of `fire`.
describe('the sip-call plugin, fired directly', () => {
  let plugin: TriggerPlugin;
  let state: unknown;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

  beforeAll(async () => {
    const loaded = (await loadPlugin('./plugins/sip-call.mjs', DEMO_DIR)).plugin;
    if (loaded.type !== 'trigger') throw new Error(`demo/plugins/sip-call.mjs is a ${loaded.type} plugin`);
    plugin = loaded;
    state = await plugin.open?.({ log });
  });

  afterAll(async () => {
    await plugin?.close?.(state);
  });

  function carrier(headers = probeRequest({ probe: 'call-voicemail' }).headers): TriggerCarrier {
    return {
      traceparent: headers.traceparent!,
      baggage: headers.baggage!,
      headers,
      messageFields: () => ({ ...headers }),
      inject<C>(into: C, set?: (c: C, key: string, value: string) => void): C {
        for (const [key, value] of Object.entries(headers)) {
          if (set) set(into, key, value);
          else (into as Record<string, string>)[key] = value;
        }
        return into;
      },
    };
  }

  function run(timeoutMs: number): TriggerRun {
    return {
      runId: 'run-1',
      probe: 'call-voicemail',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      deadlineMs: Date.now() + timeoutMs,
      timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      log,
    };
  }

  async function options(raw: Record<string, unknown>): Promise<unknown> {
    const result = await plugin.options['~standard'].validate(raw);
    if (result.issues) throw new Error(JSON.stringify(result.issues));
    return result.value;
  }

  it('checks its options: a number given as a YAML number is fine, a target without a port is not', async () => {
    expect(await options({ target: '127.0.0.1:7007', to: 4155550100, from: '4155550199' })).toEqual({
      target: '127.0.0.1:7007',
      to: '4155550100',
      from: '4155550199',
      expectStatus: 200,
    });
    const bad = await plugin.options['~standard'].validate({ target: '127.0.0.1', to: 'ada', from: '1', extra: 1 });
    // One problem per field (and the unknown key), each where it is.
    expect(bad.issues?.map((i) => i.path?.map(String).join('.') ?? '').sort()).toEqual(['', 'from', 'target', 'to']);
  });

  it('nothing listening: not delivered, the INVITE retransmitted until the deadline', async () => {
    // A UDP port bound by a socket that reads nothing: the INVITE arrives and is never answered.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const received: Buffer[] = [];
    silent.on('message', (m) => received.push(m));
    try {
      const target = `127.0.0.1:${silent.address().port}`;
      const opts = await options({ target, to: '4155550100', from: '4155550199', divertedFrom: '4155550100' });
      const { headers } = probeRequest({ probe: 'call-voicemail' });
      const result = await plugin.fire(run(1800), carrier(headers), opts, state);
      expect(result.delivered).toBe(false);
      const sent = /^nothing answered the INVITE at (\S+) \(sent (\d+) times\)$/.exec(result.error ?? '');
      expect(sent?.[1], result.error).toBe(target);
      // Timer A (at 0, 500, 1500 ms, ...): retransmitted, each time the same INVITE with the run's context.
      expect(Number(sent![2])).toBeGreaterThanOrEqual(2);
      await waitFor(() => received.length === Number(sent![2]), { what: 'every INVITE sent to arrive' });
      const invite = received[0]!.toString('utf8');
      expect(received.every((m) => m.toString('utf8') === invite)).toBe(true);
      expect(invite).toMatch(/^INVITE sip:4155550100@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
      expect(invite).toContain(`\r\ntraceparent: ${headers.traceparent}\r\n`);
      expect(invite).toContain(`\r\nbaggage: ${headers.baggage}\r\n`);
      expect(invite).toMatch(/^Diversion: <sip:4155550100@127\.0\.0\.1>;reason=no-answer;counter=1\r$/m);
    } finally {
      silent.close();
    }
  });

  it('a host that does not resolve: not delivered, and fire resolves instead of throwing', async () => {
    const opts = await options({ target: 'no-such-host.invalid:5060', to: '4155550100', from: '4155550199' });
    const result = await plugin.fire(run(3000), carrier(), opts, state);
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/no-such-host\.invalid:5060/);
  });
});
