import { randomBytes } from 'node:crypto';
import http, { get as namedGet, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_BAGGAGE_KEY, newRunId, parseProbeKeyRing, signProbeToken } from '@hoptrace/core';
import { currentProbe } from '../../src/current-probe';
import { startInstrumentation } from '../../src/start-instrumentation';
import type { HoptraceInstrumentation } from '../../src/types';

const SECRET = 'probe-only-in-process-secret-0123';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `hoptrace-test-probe-only-${randomBytes(4).toString('hex')}:`;

function probeHeaders(probe = 'in-process') {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  const runId = newRunId();
  const token = signProbeToken({ probe, runId, expiresAtMs: Date.now() + 60_000 }, traceId, parseProbeKeyRing(SECRET));
  return {
    headers: { traceparent: `00-${traceId}-${parentSpanId}-01`, baggage: `${PROBE_BAGGAGE_KEY}=${token}` },
    traceId,
    parentSpanId,
    runId,
    token,
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** GET with http.get, the body read. */
function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** http.request with an options object, written and ended by hand. */
function httpRequest(url: string, options: http.RequestOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', ...options }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

// One process: the drop-in started in probe-only mode (its spans also kept in memory by a span
// processor of ours), an Express 5 app (`front`) calling a plain node:http server (`back`), both
// on real sockets, hop records to the real Redis.
describe('probe-only mode, in one process', () => {
  const spans = new InMemorySpanExporter();
  let instrumentation: HoptraceInstrumentation;
  let front: Server;
  let back: Server;
  let frontUrl: string;
  let backUrl: string;
  /** The headers `back` received, per request, in order. */
  const received: IncomingHttpHeaders[] = [];
  const probesSeenByBack: (string | undefined)[] = [];

  beforeAll(async () => {
    instrumentation = startInstrumentation({
      mode: 'probe-only',
      secret: SECRET,
      serviceName: 'in-process',
      redisUrl: REDIS_URL,
      exporter: { keyPrefix: PREFIX },
      spanProcessors: [new SimpleSpanProcessor(spans)],
      env: false,
    });
    // Loaded after the start, as `--require`/`--import` would have it: Express's layer is patched on load.
    const { default: express } = await import('express');
    back = http.createServer((req, res) => {
      received.push(req.headers);
      probesSeenByBack.push(currentProbe()?.runId);
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end('ok');
    });
    backUrl = await listen(back);
    const app = express();
    app.get('/fanout', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const statuses = [await httpGet(`${backUrl}/a`)];
      await new Promise((resolve) => setImmediate(resolve));
      statuses.push((await fetch(`${backUrl}/b`)).status);
      statuses.push(await httpRequest(`${backUrl}/c`));
      res.json({ statuses, probe: currentProbe() ?? null });
    });
    app.get('/named-import', async (_req, res) => {
      // `import { get } from 'node:http'`, bound before the drop-in started.
      const status = await new Promise<number>((resolve, reject) => {
        namedGet(`${backUrl}/e`, (r) => {
          r.resume();
          r.on('end', () => resolve(r.statusCode ?? 0));
        }).on('error', reject);
      });
      res.json({ status });
    });
    app.get('/down', async (_req, res) => {
      res.json({ status: await httpGet(`${backUrl}/down`) });
    });
    app.get('/array-headers', async (_req, res) => {
      // Headers as a flat array are written at once: nothing can be added to them afterwards.
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${backUrl}/d`, {
          headers: ['host', '127.0.0.1', 'x-mine', 'yes'],
        });
        req.on('response', (r) => {
          r.resume();
          r.on('end', () => resolve(r.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      res.json({ status });
    });
    app.get('/later-failure', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new TypeError('mailbox 4155550100 is full');
    });
    front = http.createServer(app);
    frontUrl = await listen(front);
  });

  afterAll(async () => {
    await new Promise((resolve) => front?.close(resolve));
    await new Promise((resolve) => back?.close(resolve));
    await instrumentation?.shutdown();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const ofTrace = (traceId: string) => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

  it('says it is probe-only', () => {
    expect(instrumentation.mode).toBe('probe-only');
  });

  it('makes a probe a hop whose calls (after timers and awaits; http.get, fetch, http.request) are its children and carry the probe on', async () => {
    const probe = probeHeaders();
    received.length = 0;
    probesSeenByBack.length = 0;
    const res = await fetch(`${frontUrl}/fanout`, { headers: probe.headers });
    expect(await res.json()).toEqual({ statuses: [200, 200, 200], probe: { name: 'in-process', runId: probe.runId } });
    await instrumentation.forceFlush();

    const trace = ofTrace(probe.traceId);
    const hops = trace.filter((s) => s.kind === SpanKind.SERVER);
    const frontHop = hops.find((s) => s.parentSpanContext?.spanId === probe.parentSpanId)!;
    expect(frontHop).toBeDefined();
    expect(frontHop.name).toBe('GET /fanout');
    expect(frontHop.attributes).toMatchObject({
      'http.route': '/fanout',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'hoptrace.run.id': probe.runId,
      'hoptrace.probe.name': 'in-process',
    });
    const calls = trace.filter((s) => s.kind === SpanKind.CLIENT);
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.parentSpanContext?.spanId).toBe(frontHop.spanContext().spanId);
      expect(call.attributes['server.address']).toBe('127.0.0.1');
      expect(call.attributes['http.response.status_code']).toBe(200);
    }
    // `back` got each call with the call's own span as parent and the probe token in baggage, and
    // saw the probe itself: three more hops, one per call.
    expect(received).toHaveLength(3);
    const callIds = new Set(calls.map((c) => c.spanContext().spanId));
    for (const headers of received) {
      const [, traceId, parentId] = String(headers.traceparent).split('-');
      expect(traceId).toBe(probe.traceId);
      expect(callIds.has(parentId!)).toBe(true);
      expect(headers.baggage).toContain(`${PROBE_BAGGAGE_KEY}=${probe.token}`);
    }
    expect(probesSeenByBack).toEqual([probe.runId, probe.runId, probe.runId]);
    expect(hops).toHaveLength(4);
    // The hop knows where its calls went: the exits, in order of start.
    const exits = frontHop.attributes['hoptrace.hop.exits'] as string[];
    expect(exits.map((e) => e.split(':')[0])).toEqual(
      [...calls]
        .sort((a, b) => a.startTime[1] - b.startTime[1] || a.startTime[0] - b.startTime[0])
        .map((c) => c.spanContext().spanId),
    );
  });

  it('leaves ordinary requests alone: no span, no context passed on, even one that carried someone else’s', async () => {
    const before = spans.getFinishedSpans().length;
    const candidatesBefore = instrumentation.stats().probeCandidates;
    received.length = 0;
    const foreign = { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`, baggage: 'user=42' };
    for (const headers of [{}, foreign]) {
      const res = await fetch(`${frontUrl}/fanout`, { headers });
      expect(await res.json()).toEqual({ statuses: [200, 200, 200], probe: null });
    }
    await instrumentation.forceFlush();
    expect(spans.getFinishedSpans()).toHaveLength(before);
    expect(received).toHaveLength(6);
    for (const headers of received) {
      expect(headers.traceparent).toBeUndefined();
      expect(headers.baggage).toBeUndefined();
    }
    expect(instrumentation.stats().probeCandidates).toBe(candidatesBefore);
  });

  it('carries the probe on through a named import of node:http bound before the start', async () => {
    const probe = probeHeaders();
    received.length = 0;
    expect(await (await fetch(`${frontUrl}/named-import`, { headers: probe.headers })).json()).toEqual({
      status: 200,
    });
    expect(received[0]!.baggage).toContain(`${PROBE_BAGGAGE_KEY}=${probe.token}`);
  });

  it('marks a call answered 5xx as failed, and the hop stays ok when the app answers', async () => {
    const probe = probeHeaders();
    expect(await (await fetch(`${frontUrl}/down`, { headers: probe.headers })).json()).toEqual({ status: 503 });
    await instrumentation.forceFlush();
    const call = ofTrace(probe.traceId).find((s) => s.kind === SpanKind.CLIENT)!;
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    const hop = ofTrace(probe.traceId).find((s) => s.parentSpanContext?.spanId === probe.parentSpanId)!;
    expect(hop.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('lets a call whose headers cannot take the context go out untouched', async () => {
    const probe = probeHeaders();
    received.length = 0;
    expect(await (await fetch(`${frontUrl}/array-headers`, { headers: probe.headers })).json()).toEqual({
      status: 200,
    });
    expect(received[0]!['x-mine']).toBe('yes');
    expect(received[0]!.baggage).toBeUndefined();
  });

  it('records an error thrown after an await on the hop, as its exception', async () => {
    const probe = probeHeaders();
    expect((await fetch(`${frontUrl}/later-failure`, { headers: probe.headers })).status).toBe(500);
    await instrumentation.forceFlush();
    const hop = ofTrace(probe.traceId).find((s): s is ReadableSpan => s.kind === SpanKind.SERVER)!;
    expect(hop.status.code).toBe(SpanStatusCode.ERROR);
    const exception = hop.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'mailbox 4155550100 is full',
    });
  });
});
