import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { HopRecord } from '@hoptrace/core';
import { readHops, waitForHops } from '../support/hops';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../support/redis';
import { serviceStats, startService, type RunningService } from '../support/services';

/**
 * The drop-in on a Fastify 5 service (ES modules, `--import`), in each mode:
 *   probe --> mailbox (Fastify 5) --fetch--> backend (Express 4, CommonJS)
 * A probe hop of the Fastify service is named by its route template and carries the error of a
 * handler that throws or rejects; ordinary traffic, forged tokens included, writes nothing.
 */
describe.each(['full', 'probe-only'] as const)('the drop-in on a Fastify 5 service, %s mode', (mode) => {
  let redis: Redis;
  let prefix: string;
  let backend: RunningService;
  let mailbox: RunningService;
  /** Runs sent as real probes: the only runs allowed to have keys under the prefix. */
  const runs: string[] = [];

  beforeAll(async () => {
    redis = testRedis();
    prefix = uniquePrefix(`fastify-${mode}`);
    const common = { HOPTRACE_KEY_PREFIX: prefix, HOPTRACE_MODE: mode };
    backend = await startService('express4-cjs', { name: 'backend', env: common });
    mailbox = await startService('fastify5-esm', {
      name: 'mailbox',
      env: { ...common, NEXT_URL: `${backend.url}/work` },
    });
  });

  afterAll(async () => {
    await Promise.all([mailbox?.stop(), backend?.stop()]);
    if (prefix) await deleteKeysUnder(redis, prefix);
    redis?.disconnect();
  });

  /** Sends one probe to the Fastify service and waits for `hopCount` hop records of its run. */
  async function sendProbe(path: string, hopCount: number, init: RequestInit = {}) {
    const probe = probeRequest({ probe: 'fastify' });
    runs.push(probe.runId);
    const res = await fetch(`${mailbox.url}${path}`, {
      ...init,
      headers: { ...probe.headers, ...(init.headers as Record<string, string> | undefined) },
    });
    const body = await res.text();
    const hops = await waitForHops(redis, prefix, probe.runId, hopCount);
    return { probe, status: res.status, body, hops };
  }

  function hopOf(hops: HopRecord[], service: string): HopRecord {
    const hop = hops.find((h) => h.service === service);
    if (!hop) throw new Error(`no hop of ${service} in ${JSON.stringify(hops)}`);
    return hop;
  }

  it(`says its mode (${mode}) when the service starts`, () => {
    expect(mailbox.stderr()).toContain(`mode ${mode}`);
  });

  it('names the probe hop by its route template and links the backend hop under it', async () => {
    const { probe, status, body, hops } = await sendProbe('/mailbox/42', 2);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ box: '42', downstream: 200 });
    expect(hops).toHaveLength(2);
    const front = hopOf(hops, 'mailbox');
    expect(front).toMatchObject({
      kind: 'server',
      operation: 'GET /mailbox/:box',
      status: 'ok',
      httpStatus: 200,
      traceId: probe.traceId,
      runId: probe.runId,
      probe: 'fastify',
      parentSpanId: probe.parentSpanId,
    });
    expect(front.errorType).toBeUndefined();
    // The backend hop is in the same trace, under the Fastify hop's fetch call to it.
    const back = hopOf(hops, 'backend');
    expect(back).toMatchObject({ operation: 'GET /work', status: 'ok', traceId: probe.traceId });
    expect(front.exits).toHaveLength(1);
    expect(front.exits![0]).toMatchObject({ spanId: back.parentSpanId, peer: `127.0.0.1:${backend.port}` });
  });

  it('keeps the prefix of a plugin in the template, after the body is read', async () => {
    const { probe, status, body, hops } = await sendProbe('/v1/calls/5551234', 2, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ caller: 'probe' }),
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ number: '5551234', body: { caller: 'probe' }, downstream: 200 });
    const front = hopOf(hops, 'mailbox');
    expect(front).toMatchObject({ operation: 'POST /v1/calls/:number', status: 'ok', httpStatus: 200 });
    expect(front.parentSpanId).toBe(probe.parentSpanId);
    const back = hopOf(hops, 'backend');
    expect(back.traceId).toBe(probe.traceId);
    expect(front.exits?.map((e) => e.spanId)).toEqual([back.parentSpanId]);
  });

  it.each([
    { path: '/fail', how: 'thrown', errorType: 'Error', errorMessage: 'boom from fastify' },
    { path: '/reject', how: 'rejected', errorType: 'RangeError', errorMessage: 'rejected by fastify' },
  ])('records an error $how by a handler, answered 500', async ({ path, errorType, errorMessage }) => {
    const { status, hops } = await sendProbe(path, 1);
    expect(status).toBe(500);
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({
      service: 'mailbox',
      operation: `GET ${path}`,
      status: 'error',
      httpStatus: 500,
      errorType,
      errorMessage,
    });
  });

  it('writes no hop record for ordinary traffic, and treats a forged token as ordinary traffic', async () => {
    const before = await serviceStats(mailbox);
    const paths = ['/mailbox/7', '/fail', '/reject'];
    const ordinary = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetch(`${mailbox.url}${paths[i % 3]}`, {
          // Someone else's trace context and baggage, on a third of them.
          headers: i % 3 === 1 ? { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`, baggage: 'user=42' } : {},
        }).then(async (r) => (await r.arrayBuffer(), r.status)),
      ),
    );
    expect(ordinary).toEqual(Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 200 : 500)));
    const forged = probeRequest({ probe: 'forged', secret: 'not-the-secret-0123456789abcdef' });
    const forgedError = probeRequest({ probe: 'forged', secret: 'not-the-secret-0123456789abcdef' });
    const forgedRes = await fetch(`${mailbox.url}/mailbox/8`, { headers: forged.headers });
    expect(forgedRes.status).toBe(200);
    expect(await forgedRes.json()).toEqual({ box: '8', downstream: 200 });
    expect((await fetch(`${mailbox.url}/fail`, { headers: forgedError.headers })).status).toBe(500);

    // A real probe afterwards, through both services: once its hops are written, hops of the
    // requests before it would have been too.
    await sendProbe('/mailbox/after', 2);
    expect(await readHops(redis, prefix, forged.runId)).toEqual([]);
    expect(await readHops(redis, prefix, forgedError.runId)).toEqual([]);
    const allowed = new Set(runs.map((id) => `${prefix}run:{${id}}:hops`));
    expect((await keysUnder(redis, prefix)).filter((key) => !allowed.has(key))).toEqual([]);

    const after = await serviceStats(mailbox);
    const refused = (s: typeof before) => s.rejectedTokens['bad-signature'] ?? 0;
    expect(refused(after) - refused(before)).toBe(2);
    // Probe-only mode looked past the baggage header of the two forged requests and the probe only.
    expect(after.probeCandidates - before.probeCandidates).toBe(mode === 'probe-only' ? 3 : 0);
  });
});
