import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiErrorSchema,
  flowMapSchema,
  incidentDetailSchema,
  metaSchema,
  overviewSchema,
  runSummariesPageSchema,
  runsPageSchema,
  runSummarySchema,
  type RunSummary,
} from '@hoptrace/core/api';
import { Oamserver, RunStore, parseProbeConfig, type RunResult } from '@hoptrace/oamserver';
import { resultAt } from '../../packages/oamserver/test/support/scenarios';
import { TEST_SECRET } from '../support/probe';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

// The HTTP API the dashboard reads, on a real Redis holding runs stored the way the collector
// stores them, served by a real Oamserver (in this process, listening on a port).

const PROBES = ['deposit-voicemail', 'retrieve-voicemail', 'update-greeting'] as const;
const NOW = Date.now();

/** The runs seeded: a mix of verdicts and instances, three probes, some fired in the same millisecond. */
function seededResults(): RunResult[] {
  const out: RunResult[] = [];
  for (let n = 0; n < 240; n++) {
    const probe = PROBES[n % 3]!;
    // Runs n and n+1 share their firing millisecond every 10 runs: cursor paging must not skip or repeat them.
    const firedAtMs = NOW - 3_000_000 + (n % 10 === 1 ? n - 1 : n) * 10_000;
    const shape =
      n % 7 === 0
        ? { silent: ['notifier'] }
        : n % 5 === 0
          ? { hops: { recorder: { instance: 'recorder-2', workMs: 260 } } }
          : { hops: { recorder: { instance: `recorder-${(n % 3) + 1}` } } };
    const result = resultAt({ runId: `seed-${String(n).padStart(3, '0')}`, firedAtMs }, shape);
    out.push({ ...result, run: { ...result.run, probe } });
  }
  return out;
}

async function getJson(url: string): Promise<{ status: number; body: unknown; timing: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), timing: res.headers.get('server-timing') };
}

describe('the dashboard API on stored runs', () => {
  const prefix = uniquePrefix('dashapi');
  const redis = testRedis();
  const results = seededResults();
  let server: Oamserver;
  let trigger: Server;
  let base: string;

  beforeAll(async () => {
    // Stored exactly as the collector stores them (createRun, then finishRun).
    const seeder = testRedis();
    const store = new RunStore(seeder, { keyPrefix: prefix });
    for (const result of results) {
      await store.createRun(result.run);
      expect(await store.finishRun(result)).toBe('stored');
    }
    seeder.disconnect();
    // The live probe's trigger: answers 200, and no service reports a hop (a run lost at `ghost`).
    trigger = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => trigger.listen(0, '127.0.0.1', resolve));
    const triggerUrl = `http://127.0.0.1:${(trigger.address() as AddressInfo).port}/`;
    const config = await parseProbeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
${PROBES.map((p) => `  - { name: ${p}, every: 1h, timeout: 5s, trigger: { http: { url: "${triggerUrl}" } }, path: [gateway, mailbox, recorder, storage, notifier], budget: { total: 800ms, hops: { recorder: 200ms } } }`).join('\n')}
  - { name: live-probe, every: 1h, timeout: 1s, trigger: { http: { url: "${triggerUrl}" } }, path: [ghost] }
`);
    server = new Oamserver({
      config,
      secret: TEST_SECRET,
      redisUrl: REDIS_URL,
      host: '127.0.0.1',
      port: 0,
      schedule: false,
      jaegerUiUrl: 'http://jaeger.test:16686/',
    });
    await server.start();
    base = server.url;
    // Incidents from the same runs, through the Oamserver's own incident tracking, in firing order.
    for (const result of [...results].sort((a, b) => a.run.firedAtMs - b.run.firedAtMs)) {
      await server.incidents.handle(result);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => trigger?.close(resolve));
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('pages through every stored run once, newest first, also across runs fired in the same millisecond', async () => {
    const seen: RunSummary[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const { status, body, timing } = await getJson(
        `${base}/api/runs?view=summary&limit=35${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      expect(timing).toMatch(/^app;dur=\d+(\.\d)?$/);
      const parsed = runSummariesPageSchema.parse(body);
      seen.push(...parsed.runs);
      cursor = parsed.next;
      if (!cursor) break;
    }
    expect(cursor).toBeUndefined();
    const ids = seen.map((s) => s.runId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(results.map((r) => r.run.runId)));
    const times = seen.map((s) => Date.parse(s.firedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters by probe, verdict, service, instance and time, and each filtered run matches', async () => {
    const expectFilter = async (query: string, predicate: (r: RunResult) => boolean) => {
      const { body } = await getJson(`${base}/api/runs?view=summary&limit=1000&${query}`);
      const page = runSummariesPageSchema.parse(body);
      const expected = results.filter(predicate).map((r) => r.run.runId);
      expect(expected.length).toBeGreaterThan(0);
      expect(page.runs.map((r) => r.runId).sort()).toEqual(expected.sort());
    };
    await expectFilter('verdict=lost', (r) => r.verdict === 'lost');
    await expectFilter(
      'probe=retrieve-voicemail&verdict=slow,lost',
      (r) => r.run.probe === 'retrieve-voicemail' && ['slow', 'lost'].includes(r.verdict),
    );
    await expectFilter('instance=recorder-2', (r) => r.hops.some((h) => h.instance === 'recorder-2'));
    await expectFilter('service=notifier&verdict=lost', (r) => r.verdict === 'lost' && r.fault?.service === 'notifier');
    const from = NOW - 2_900_000;
    const to = NOW - 2_800_000;
    await expectFilter(
      `from=${new Date(from).toISOString()}&to=${to}`,
      (r) => r.run.firedAtMs >= from && r.run.firedAtMs <= to,
    );
  });

  it('full views carry the expected path, the hops with offsets, and Jaeger links to the trace and each span', async () => {
    const { body } = await getJson(`${base}/api/runs?probe=deposit-voicemail&verdict=slow&limit=1`);
    const [run] = runsPageSchema.parse(body).runs;
    expect(run!.path).toEqual(['gateway', 'mailbox', 'recorder', 'storage', 'notifier']);
    expect(run!.jaegerUrl).toBe(`http://jaeger.test:16686/trace/${run!.traceId}`);
    for (const hop of run!.hops) {
      expect(hop.jaegerUrl).toBe(`http://jaeger.test:16686/trace/${hop.traceId}?uiFind=${hop.spanId}`);
      expect(hop.offsetMs).toBeGreaterThanOrEqual(0);
    }
    const recorder = run!.hops.find((h) => h.service === 'recorder')!;
    expect(recorder.budgetMs).toBe(200);
    expect(recorder.durationMs).toBeGreaterThan(200);
  });

  it('answers bad input with a 4xx and an error code naming the field, never a 500', async () => {
    const cases: [string, number, string | undefined][] = [
      ['/api/runs?verdict=okk', 400, 'verdict'],
      ['/api/runs?cursor=not-a-cursor', 400, 'cursor'],
      ['/api/runs?limit=0', 400, 'limit'],
      ['/api/runs?limit=abc', 400, 'limit'],
      ['/api/runs?from=yesterday', 400, 'from'],
      [`/api/runs?from=${NOW}&to=${NOW - 1}`, 400, 'from'],
      ['/api/runs?probe=no-such-probe', 404, undefined],
      ['/api/runs/no-such-run', 404, undefined],
      ['/api/runs/bad%7Bid%7D', 400, 'runId'],
      ['/api/overview?window=2d', 400, 'window'],
      ['/api/overview?cells=5000', 400, 'cells'],
      ['/api/map?probe=no-such-probe', 404, undefined],
      ['/api/incidents?state=closed', 400, 'state'],
      ['/api/incidents/no-such-incident', 404, undefined],
      ['/api/no-such-route', 404, undefined],
    ];
    for (const [path, status, field] of cases) {
      const res = await getJson(`${base}${path}`);
      expect(res.status, path).toBe(status);
      const error = apiErrorSchema.parse(res.body);
      expect(error.code, path).toBe(status === 404 ? 'HOPTRACE_API_NOT_FOUND' : 'HOPTRACE_API_BAD_REQUEST');
      expect(error.field, path).toBe(field);
    }
  });

  it('the overview has every probe: its newest runs first, its last failure, and the stored runs in its numbers', async () => {
    const { status, body } = await getJson(`${base}/api/overview?window=1h&cells=30`);
    expect(status).toBe(200);
    const overview = overviewSchema.parse(body);
    expect(overview.storage).toBe('ok');
    expect(overview.probes.map((p) => p.name)).toEqual([...PROBES, 'live-probe']);
    for (const probe of PROBES) {
      const block = overview.probes.find((p) => p.name === probe)!;
      const mine = results.filter((r) => r.run.probe === probe).sort((a, b) => b.run.firedAtMs - a.run.firedAtMs);
      expect(block.recent.map((c) => c.runId)).toEqual(mine.slice(0, 30).map((r) => r.run.runId));
      const lastFault = mine.find((r) => r.verdict !== 'ok')!;
      expect(block.lastFailure?.runId).toBe(lastFault.run.runId);
      // Warmed from storage at start: every run of the last hour is in the window's numbers.
      expect(block.stats.count).toBe(mine.length);
      expect(block.stats.faults).toBe(mine.filter((r) => r.verdict !== 'ok').length);
      expect(block.series.points).toHaveLength(60);
      expect(block.series.points.reduce((n, p) => n + p.count, 0)).toBe(mine.length);
      expect(block.stats.p95Ms).toBeGreaterThan(0);
    }
  });

  it('the flow map draws the expected path, counts runs per instance and marks where runs were lost', async () => {
    const { body } = await getJson(`${base}/api/map?probe=deposit-voicemail&window=1h`);
    const [flow] = flowMapSchema.parse(body).probes;
    const mine = results.filter((r) => r.run.probe === 'deposit-voicemail');
    expect(flow!.path).toEqual(['gateway', 'mailbox', 'recorder', 'storage', 'notifier']);
    const lost = mine.filter((r) => r.verdict === 'lost').length;
    expect(lost).toBeGreaterThan(0);
    expect(flow!.nodes.find((n) => n.service === 'notifier')!.lost).toBe(lost);
    expect(flow!.edges.find((e) => e.from === 'storage' && e.to === 'notifier')!.lost).toBe(lost);
    const recorder2 = flow!.nodes
      .find((n) => n.service === 'recorder')!
      .instances.find((i) => i.instance === 'recorder-2')!;
    expect(recorder2.worst).toBe('slow');
    expect(recorder2.faults).toBe(mine.filter((r) => r.verdict === 'slow').length);
  });

  it('streams each classified run, live, as a summary (GET /api/events)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) text += decoder.decode(chunk as Uint8Array, { stream: true });
    })().catch(() => undefined);
    const fired = await fetch(`${base}/api/probes/live-probe/runs`, { method: 'POST' });
    const { runId } = (await fired.json()) as { runId: string };
    const event = await waitFor(
      () => text.split('\n\n').find((block) => block.startsWith('event: run\n') && block.includes(runId)),
      { timeoutMs: 15_000, what: 'the run event' },
    );
    controller.abort();
    await reading;
    const summary = runSummarySchema.parse(JSON.parse(event.split('\ndata: ')[1]!));
    expect(summary).toMatchObject({ runId, probe: 'live-probe', state: 'done', verdict: 'lost' });
    expect(summary.fault?.service).toBe('ghost');
  });

  it('says the dashboard is not built at /, and the API keeps working', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('pnpm build');
    expect(metaSchema.parse((await getJson(`${base}/api/meta`)).body).probes).toContain('live-probe');
  });

  it('an incident comes with its timeline of faulty visits, its example runs and a Jaeger comparison', async () => {
    const { body } = await getJson(`${base}/api/incidents?state=all&limit=100`);
    const incidents = (
      body as { incidents: { id: string; probe: string; service: string; instance?: string; kind: string }[] }
    ).incidents;
    const slow = incidents.find(
      (i) => i.probe === 'deposit-voicemail' && i.kind === 'slow' && i.instance === 'recorder-2',
    );
    expect(slow, JSON.stringify(incidents)).toBeDefined();
    const res = await getJson(`${base}/api/incidents/${encodeURIComponent(slow!.id)}`);
    expect(res.status).toBe(200);
    const detail = incidentDetailSchema.parse(res.body);
    // In time order: the first faulty visits come before the opening they caused.
    expect(detail.timeline.map((t) => t.atMs)).toEqual([...detail.timeline].map((t) => t.atMs).sort((a, b) => a - b));
    expect(detail.timeline.filter((t) => t.type === 'opened')).toHaveLength(1);
    const visits = detail.timeline.filter((t) => t.type === 'visit');
    expect(visits.length).toBeGreaterThanOrEqual(2);
    for (const visit of visits) {
      const run = results.find((r) => r.run.runId === visit.runId)!;
      expect(run.verdict).toBe('slow');
      expect(run.run.probe).toBe('deposit-voicemail');
      expect(visit.instance).toBe('recorder-2');
    }
    const { firstFailure, latestFailure, lastOkBefore } = detail.examples;
    expect(firstFailure?.verdict).toBe('slow');
    expect(latestFailure?.verdict).toBe('slow');
    // No ok run of this probe ever went through recorder-2 here: the last ok one through the service.
    const lastOk = results
      .filter((r) => r.run.probe === 'deposit-voicemail' && r.verdict === 'ok')
      .filter((r) => r.run.firedAtMs < detail.incident.startedAtMs)
      .sort((a, b) => b.run.firedAtMs - a.run.firedAtMs)[0]!;
    expect(lastOkBefore?.runId).toBe(lastOk.run.runId);
    expect(detail.jaegerCompareUrl).toBe(
      `http://jaeger.test:16686/trace/${lastOkBefore!.traceId}...${latestFailure!.traceId}`,
    );
    const unknown = await getJson(`${base}/api/incidents/${encodeURIComponent('no-such-incident')}`);
    expect(unknown.status).toBe(404);
  });
});

describe('the dashboard served at /', () => {
  const prefix = uniquePrefix('dashstatic');
  const redis = testRedis();
  let server: Oamserver;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>hoptrace test build</title>');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    server = new Oamserver({
      config: await parseProbeConfig(
        `storage: { keyPrefix: "${prefix}" }\nprobes:\n  - { name: p, every: 1h, trigger: { http: { url: "http://127.0.0.1:9/" } }, path: [a] }\n`,
      ),
      secret: TEST_SECRET,
      redisUrl: REDIS_URL,
      host: '127.0.0.1',
      port: 0,
      schedule: false,
      dashboardDir: dir,
      jaegerUiUrl: 'http://jaeger.test:16686',
    });
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('serves index.html for every page path (shared links open the right page), with a CSP that frames only Jaeger', async () => {
    for (const path of ['/', '/runs/abc', '/map?probe=p', '/incidents/x']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('hoptrace test build');
      expect(res.headers.get('content-security-policy')).toContain('frame-src http://jaeger.test:16686');
    }
    const asset = await fetch(`${server.url}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    // The API's own 404 stays JSON.
    const api = await fetch(`${server.url}/api/nothing`);
    expect(apiErrorSchema.parse(await api.json()).code).toBe('HOPTRACE_API_NOT_FOUND');
  });
});
