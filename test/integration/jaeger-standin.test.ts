import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ATTR_RUN_ID } from '@hoptrace/core';
import type { RunView } from '@hoptrace/oamserver';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import type { JaegerResponse, JaegerTrace } from '../support/jaeger-format';
import { startJaegerStandin, type JaegerStandin } from '../support/jaeger-standin';
import { cliEnv, startOamserver, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

type Judged = RunView & { fault?: NonNullable<RunView['fault']> };

/** Rows of the stand-in's trace page: span id and whether it is highlighted. */
function rowsOf(html: string): { spanId: string; highlighted: boolean }[] {
  return [...html.matchAll(/<tr data-span-id="([^"]+)"([^>]*)>/g)].map((m) => ({
    spanId: m[1]!,
    highlighted: m[2]!.includes('data-highlighted="true"'),
  }));
}

// The voicemail demo and a real Oamserver export every span over OTLP/JSON to the Jaeger
// stand-in, and the Oamserver links to it (JAEGER_UI_URL). What this shows: the addresses
// hoptrace makes are exactly Jaeger's, every span of a run's trace reaches the OTLP receiver
// (the Oamserver's root span too), and the span found on the trace page is the failing hop's.
// The real Jaeger UI is not exercised (it cannot run here): see docs/jaeger.md.
describe('Jaeger stand-in with the demo and a real Oamserver', () => {
  const prefix = uniquePrefix('jaeger');
  let redis: Redis;
  let standin: JaegerStandin;
  let demo: RunningDemo;
  let oamserver: RunningOamserver;

  beforeAll(async () => {
    redis = testRedis();
    standin = await startJaegerStandin();
    const otlp = {
      OTEL_EXPORTER_OTLP_ENDPOINT: standin.otlpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Export within 100 ms instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    demo = await startDemo(prefix, { env: otlp });
    oamserver = await startOamserver(demo.configFile, cliEnv({ ...otlp, JAEGER_UI_URL: standin.url }));
  }, 120_000);

  afterAll(async () => {
    await oamserver?.stop();
    await demo?.stop();
    await standin?.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }, 30_000);

  async function fire(): Promise<Judged> {
    const res = await fetch(`${oamserver.url}/api/probes/deposit-voicemail/runs?wait=1`, { method: 'POST' });
    expect(res.status).toBe(200);
    return (await res.json()) as Judged;
  }

  /** The run's trace from the stand-in's Jaeger API, once it holds the root span and every hop's span. */
  async function wholeTrace(run: Judged): Promise<JaegerTrace> {
    return waitFor(
      async () => {
        const res = await fetch(`${standin.url}/api/traces/${run.traceId}`);
        if (res.status !== 200) return undefined;
        const trace = ((await res.json()) as JaegerResponse<JaegerTrace[]>).data[0]!;
        const ids = new Set(trace.spans.map((s) => s.spanID));
        const hasRoot = trace.spans.some(
          (s) => s.references.length === 0 && trace.processes[s.processID]?.serviceName === 'hoptrace-oamserver',
        );
        return hasRoot && run.hops.every((h) => ids.has(h.spanId)) && trace;
      },
      { timeoutMs: 15_000, what: `the root span and ${run.hops.length} hop spans of trace ${run.traceId}` },
    );
  }

  it('links each run to <JAEGER_UI_URL>/trace/<traceId>, which shows the whole trace, the failing hop found', async () => {
    // A first run warms the platform up, and is the "last ok" of the comparison below.
    const before = await fire();
    await setFaults(demo.urls.recorder[0]!, { latencyMs: 400 });
    const run = await fire();
    expect(run.verdict, JSON.stringify(run.fault)).toBe('slow');
    expect(run.fault?.service).toBe('recorder');
    expect(run.jaegerUrl).toBe(`${standin.url}/trace/${run.traceId}`);

    const trace = await wholeTrace(run);
    expect(trace.traceID).toBe(run.traceId);
    const root = trace.spans.find((s) => s.references.length === 0)!;
    expect(trace.spans.filter((s) => s.references.length === 0)).toHaveLength(1);
    expect(root.tags).toContainEqual({ key: ATTR_RUN_ID, type: 'string', value: run.runId });
    expect(run.hops.map((h) => h.service)).toEqual(['gateway', 'mailbox', 'recorder', 'storage', 'notifier']);
    for (const hop of run.hops) {
      const span = trace.spans.find((s) => s.spanID === hop.spanId)!;
      const process = trace.processes[span.processID]!;
      expect(process.serviceName).toBe(hop.service);
      expect(process.tags).toContainEqual({ key: 'service.instance.id', type: 'string', value: hop.instance });
    }
    // The first hop was called by the Oamserver's root span: Jaeger draws the run from its root.
    expect(trace.spans.find((s) => s.spanID === run.hops[0]!.spanId)!.references).toEqual([
      { refType: 'CHILD_OF', traceID: run.traceId, spanID: root.spanID },
    ]);

    // The failing hop's span, found in the embedded view the dashboard shows in an iframe.
    const failing = run.hops.find((h) => h.service === run.fault!.service && h.instance === run.fault!.instance)!;
    const page = await fetch(
      `${run.jaegerUrl}?uiEmbed=v0&uiTimelineCollapseTitle=1&uiTimelineHideMinimap=1&uiFind=${failing.spanId}`,
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('content-security-policy')).toBeNull();
    const html = await page.text();
    expect(html).toContain('<body data-embed="v0">');
    expect(html).not.toContain('class="topnav"');
    expect(html).toContain(`<title>Trace ${run.traceId}</title>`);
    // Every span fetched above is listed (a late one may have joined since), one highlighted.
    const rows = rowsOf(html);
    expect(rows.map((r) => r.spanId)).toEqual(expect.arrayContaining(trace.spans.map((s) => s.spanID)));
    expect(rows.filter((r) => r.highlighted).map((r) => r.spanId)).toEqual([failing.spanId]);
    expect(html).toMatch(/data-matches="1">1 of \d+ spans match/);

    // Last ok against latest failed, side by side, as an incident links them.
    await wholeTrace(before);
    const compare = await (await fetch(`${standin.url}/trace/${before.traceId}...${run.traceId}`)).text();
    expect(compare).toContain(`data-compare="${before.traceId}...${run.traceId}"`);
    expect(compare).toContain(`data-span-id="${failing.spanId}"`);
    expect(compare).toContain(`data-span-id="${before.hops[0]!.spanId}"`);
  });
});

describe('Jaeger stand-in edges', () => {
  let standin: JaegerStandin;
  beforeAll(async () => {
    standin = await startJaegerStandin({ maxSpans: 3 });
  });
  afterAll(async () => {
    await standin?.close();
  });

  /** An OTLP/JSON request with one span per id, all in one trace. */
  function otlpBody(traceId: string, spanIds: string[], name = 'op'): string {
    const spans = spanIds.map((spanId) => ({
      traceId,
      spanId,
      name,
      kind: 2,
      startTimeUnixNano: '1764000000000000000',
      endTimeUnixNano: '1764000000012345000',
    }));
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] };
    return JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] });
  }
  const post = (body: string | Uint8Array, type = 'application/json') =>
    fetch(`${standin.otlpEndpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers protobuf with 415 and a message saying to use http/json', async () => {
    const res = await post(new Uint8Array([0x0a, 0x00]), 'application/x-protobuf');
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/json');
  });

  it("answers an unknown trace with Jaeger's 404 shape", async () => {
    const res = await fetch(`${standin.url}/api/traces/${'ab'.repeat(16)}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace not found' }],
    });
  });

  it('keeps at most maxSpans, dropping the oldest trace first', async () => {
    const [a, b] = ['a1'.repeat(16), 'b2'.repeat(16)];
    expect((await post(otlpBody(a, ['0000000000000001', '0000000000000002']))).status).toBe(200);
    expect((await post(otlpBody(b, ['0000000000000003', '0000000000000004']))).status).toBe(200);
    expect(standin.spans(a)).toEqual([]);
    expect(standin.spans(b).map((s) => s.spanId)).toEqual(['0000000000000003', '0000000000000004']);
    expect(standin.droppedSpans).toBe(2);
  });

  it('escapes what it puts into HTML, and lists traces on /search', async () => {
    const c = 'c3'.repeat(16);
    await post(otlpBody(c, ['0000000000000005'], '<img src=x onerror=alert(1)>'));
    const html = await (await fetch(`${standin.url}/trace/${c}?uiFind=${encodeURIComponent('<b>"x"</b>')}`)).text();
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('data-matches="0"');
    const search = await (await fetch(`${standin.url}/search?traceID=${c}&traceID=${'d4'.repeat(16)}`)).text();
    expect(search).toContain(`<li data-trace-id="${c}"><a href="/trace/${c}">`);
    expect(search).toContain('not found');
  });
});
