import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PROBE_BAGGAGE_KEY, PROBE_MESSAGE_FIELD } from '@hoptrace/core';
import { withoutBaggageMember } from '@hoptrace/instrument';
import { startHeaderRecorder, type HeaderRecorder, type RecordedRequest } from '../support/header-recorder';
import { waitForHops } from '../support/hops';
import { probeRequest, type ProbeRequest } from '../support/probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { serviceStats, startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Other baggage the caller sends along with the probe: it must reach every destination. */
const OTHER_BAGGAGE = 'tenant=acme;source=test';

/** A probe request whose baggage also carries another member. */
function probeWithOtherBaggage(): ProbeRequest {
  const probe = probeRequest({ probe: 'stays-inside' });
  return { ...probe, headers: { ...probe.headers, baggage: `${probe.headers.baggage},${OTHER_BAGGAGE}` } };
}

const traceIdOf = (traceparent: unknown) => (typeof traceparent === 'string' ? traceparent.split('-')[1] : undefined);

/** The request of trace `traceId` a recorder got (waiting for it). */
function requestOf(recorder: HeaderRecorder, traceId: string): Promise<RecordedRequest> {
  return waitFor(() => recorder.requests.find((r) => traceIdOf(r.headers.traceparent) === traceId), {
    what: `a request of trace ${traceId} at ${recorder.url}`,
  });
}

// A probed service A calls, one after the other: the next service B (127.0.0.1, allowed: B records
// its hop), a plain peer inside (127.0.0.1) and a "third party" at 127.0.0.2, outside the list
// HOPTRACE_PROPAGATE_TO=127.0.0.1. The third party must get traceparent and the other baggage, as
// OpenTelemetry sends them, and no probe token. Both modes, both outgoing paths (fetch, http).
describe('the probe token stays inside: HTTP', () => {
  const prefix = uniquePrefix('inside');
  let redis: Redis;
  let inside: HeaderRecorder;
  let outside: HeaderRecorder;
  let next: RunningService;
  const callers = new Map<string, RunningService>();

  beforeAll(async () => {
    redis = testRedis();
    inside = await startHeaderRecorder('127.0.0.1');
    outside = await startHeaderRecorder('127.0.0.2');
    next = await startService('express4-cjs', { name: 'next', env: { HOPTRACE_KEY_PREFIX: prefix } });
    for (const mode of ['probe-only', 'full'] as const) {
      for (const call of ['fetch', 'http'] as const) {
        const caller = await startService('express5-esm', {
          name: 'caller',
          env: {
            HOPTRACE_KEY_PREFIX: prefix,
            HOPTRACE_MODE: mode,
            HOPTRACE_PROPAGATE_TO: '127.0.0.1',
            CALL_WITH: call,
            NEXT_URL: `${next.url}/work,${inside.url}/inside,${outside.url}/third-party`,
          },
        });
        callers.set(`${mode}/${call}`, caller);
      }
    }
  });

  afterAll(async () => {
    await Promise.all([next, ...callers.values()].map((s) => s?.stop()));
    await inside?.close();
    await outside?.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  describe.each(['probe-only', 'full'] as const)('caller in %s mode', (mode) => {
    it.each(['fetch', 'http'] as const)('calling with %s', async (call) => {
      const caller = callers.get(`${mode}/${call}`)!;
      const before = await serviceStats(caller);
      const probe = probeWithOtherBaggage();
      const res = await fetch(`${caller.url}/work`, { headers: probe.headers });
      expect(res.status).toBe(200);

      // The next service got the probe and recorded its hop.
      const hops = await waitForHops(redis, prefix, probe.runId, 2);
      expect(hops.map((h) => h.service).sort()).toEqual(['caller', 'next']);
      // A peer inside got the probe's baggage member along with the other one.
      const insideRequest = await requestOf(inside, probe.traceId);
      const insideBaggage = String(insideRequest.headers.baggage);
      expect(insideBaggage).toContain(`${PROBE_BAGGAGE_KEY}=${probe.token}`);
      expect(insideBaggage).toContain(OTHER_BAGGAGE);
      // The third party got the trace and the other baggage exactly as sent inside, without the probe.
      const thirdParty = await requestOf(outside, probe.traceId);
      expect(thirdParty.path).toBe('/third-party');
      expect(thirdParty.headers.traceparent).toMatch(new RegExp(`^00-${probe.traceId}-[0-9a-f]{16}-01$`));
      expect(thirdParty.headers.baggage).toBe(withoutBaggageMember(insideBaggage, PROBE_BAGGAGE_KEY));
      expect(thirdParty.headers.baggage).toBe(OTHER_BAGGAGE);
      expect(JSON.stringify(thirdParty.headers)).not.toContain(probe.token);
      expect(JSON.stringify(thirdParty.headers)).not.toContain(PROBE_BAGGAGE_KEY);

      const after = await serviceStats(caller);
      expect(after.tokensWithheld.request - before.tokensWithheld.request).toBe(1);
      expect(after.tokensWithheld.message).toBe(before.tokensWithheld.message);
    });
  });
});

// RabbitMQ: the broker (at 127.0.0.1) is the destination of a message. A publisher whose list
// leaves it out publishes without the probe (no baggage member, no hoptrace-probe field); one
// with the defaults publishes it.
describe('the probe token stays inside: a message broker', () => {
  const prefix = uniquePrefix('inside-amqp');
  const queue = `hoptrace-test-inside-${randomBytes(3).toString('hex')}`;
  let redis: Redis;
  let connection: amqp.ChannelModel;
  let channel: amqp.Channel;
  const publishers: Record<'outside' | 'inside', RunningService | undefined> = {
    outside: undefined,
    inside: undefined,
  };

  beforeAll(async () => {
    redis = testRedis();
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: false });
    const env = { HOPTRACE_KEY_PREFIX: prefix, AMQP_PUBLISH: queue };
    publishers.outside = await startService('express5-esm', {
      name: 'publisher',
      env: { ...env, HOPTRACE_PROPAGATE_TO: 'rabbitmq.internal.example,10.0.0.0/8' },
    });
    publishers.inside = await startService('express5-esm', { name: 'publisher', env });
  });

  afterAll(async () => {
    await Promise.all(Object.values(publishers).map((s) => (s ? s.stop() : Promise.resolve())));
    await channel?.deleteQueue(queue);
    await connection?.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  /** The headers of the next message of the queue (waiting for it). */
  async function nextMessageHeaders(): Promise<Record<string, unknown>> {
    const message = await waitFor(() => channel.get(queue, { noAck: true }), { what: `a message on ${queue}` });
    return message.properties.headers ?? {};
  }

  it('a broker outside the list gets the trace and the other baggage, not the probe', async () => {
    const publisher = publishers.outside!;
    const before = await serviceStats(publisher);
    const probe = probeWithOtherBaggage();
    expect((await fetch(`${publisher.url}/work`, { headers: probe.headers })).status).toBe(200);

    const headers = await nextMessageHeaders();
    expect(traceIdOf(headers.traceparent)).toBe(probe.traceId);
    expect(headers.baggage).toBe(OTHER_BAGGAGE);
    expect(headers).not.toHaveProperty(PROBE_MESSAGE_FIELD);
    expect(JSON.stringify(headers)).not.toContain(probe.token);
    // The publisher's own hop is still recorded.
    const hops = await waitForHops(redis, prefix, probe.runId, 1);
    expect(hops.map((h) => h.service)).toEqual(['publisher']);
    const after = await serviceStats(publisher);
    expect(after.tokensWithheld.message - before.tokensWithheld.message).toBe(1);
    expect(after.tokensWithheld.request).toBe(before.tokensWithheld.request);
  });

  it('a broker inside the defaults (loopback) gets the probe, in baggage and in its field', async () => {
    const publisher = publishers.inside!;
    const probe = probeWithOtherBaggage();
    expect((await fetch(`${publisher.url}/work`, { headers: probe.headers })).status).toBe(200);

    const headers = await nextMessageHeaders();
    expect(traceIdOf(headers.traceparent)).toBe(probe.traceId);
    expect(String(headers.baggage)).toContain(`${PROBE_BAGGAGE_KEY}=${probe.token}`);
    expect(String(headers[PROBE_MESSAGE_FIELD])).toBe(`${probe.traceId}:${probe.token}`);
    expect((await serviceStats(publisher)).tokensWithheld).toEqual({ request: 0, message: 0 });
  });
});
