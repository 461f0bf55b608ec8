import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import type { RunView } from '@hoptrace/core/api';
import { createRedisKeys, encodeHopRecord, PROBE_BAGGAGE_KEY, type HopRecord } from '@hoptrace/core';
import { launchBrowser, newContext, openWatchedPage, saveScreenshot, seriousAxeViolations } from '../support/browser';
import { cliEnv, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

const DUPLICATE_TITLE =
  'a second hop from this service for the same call (a replayed token?) — not counted in the verdict';

/** A span id made of one repeated hex digit. */
const span = (digit: string) => digit.repeat(16);

/**
 * The probe's target, standing in for two instrumented services: before it answers the trigger, it
 * writes the run's hop records to Redis as their exporters would, `front` calling `back`, plus a
 * replay of front's call (same trace, same parent span, later, failing) as a captured token
 * re-sent would leave.
 */
function startTarget(redis: Redis, prefix: string): Promise<{ url: string; close(): Promise<void> }> {
  const keys = createRedisKeys(prefix);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const [, traceId, parentSpanId] = String(req.headers.traceparent).split('-');
      const member = String(req.headers.baggage)
        .split(',')
        .find((m) => m.trim().startsWith(`${PROBE_BAGGAGE_KEY}=`))!;
      const [, , probe, runId] = member.split('=')[1]!.split('.');
      const startUs = Date.now() * 1000;
      const base = { v: 1 as const, runId: runId!, probe: probe!, traceId: traceId!, kind: 'server' as const };
      const hops: HopRecord[] = [
        {
          ...base,
          spanId: span('a'),
          parentSpanId: parentSpanId!,
          service: 'front',
          instance: 'front-1',
          operation: 'GET /work',
          startUs,
          durationUs: 40_000,
          status: 'ok',
          httpStatus: 200,
          exits: [{ spanId: span('b'), atUs: 5_000 }],
        },
        {
          ...base,
          spanId: span('c'),
          parentSpanId: span('b'),
          service: 'back',
          instance: 'back-1',
          operation: 'GET /work',
          startUs: startUs + 6_000,
          durationUs: 20_000,
          status: 'ok',
          httpStatus: 200,
        },
        {
          ...base,
          spanId: span('d'),
          parentSpanId: parentSpanId!,
          service: 'front',
          instance: 'front-2',
          operation: 'GET /fail',
          startUs: startUs + 60_000,
          durationUs: 15_000,
          status: 'error',
          httpStatus: 500,
          errorType: 'Error',
          errorMessage: 'replayed to a failing route',
        },
      ];
      const key = keys.runHops(runId!);
      await redis.hset(key, Object.fromEntries(hops.map((h) => [h.spanId, encodeHopRecord(h)])));
      await redis.pexpire(key, 600_000);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

// A run whose hops include a duplicate (a replayed token): the API keeps the hop with
// `duplicate: true`, and the run page shows it tagged, explained and greyed, after the hop it repeats.
describe('the run page of a run with a duplicate hop', () => {
  const prefix = uniquePrefix('browser-duplicate');
  let redis: Redis;
  let target: { url: string; close(): Promise<void> };
  let server: RunningOamserver;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    redis = testRedis();
    target = await startTarget(redis, prefix);
    const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: replay-shown
    enabled: false
    timeout: 5s
    trigger: { http: { url: "${target.url}/work" } }
    path: [front, back]
`);
    [server, browser] = await Promise.all([startOamserver(config, cliEnv()), launchBrowser()]);
    context = await newContext(browser);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await target?.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('the API keeps the duplicate, and the waterfall tags, explains and greys it after the hop it repeats', async () => {
    const fired = await fetch(`${server.url}/api/probes/replay-shown/runs`, { method: 'POST' });
    expect(fired.status).toBe(202);
    const { runId } = (await fired.json()) as { runId: string };
    const view = await waitFor(
      async () => {
        const run = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as RunView;
        return run.state === 'done' ? run : undefined;
      },
      { timeoutMs: 15_000, what: `run ${runId} to be classified` },
    );
    // The replay is left out of the verdict (it failed) and reaches the dashboard flagged.
    expect(view.verdict).toBe('ok');
    expect(view.facts?.duplicateHops).toEqual(['front']);
    expect(view.hops.filter((h) => h.duplicate).map((h) => [h.service, h.instance])).toEqual([['front', 'front-2']]);

    const watched = await openWatchedPage(context);
    const { page } = watched;
    await page.goto(`${server.url}/runs/${runId}`);
    const rows = page.getByRole('list', { name: /^Hops of this run along the expected path/ }).getByRole('listitem');
    await rows.first().waitFor();
    const rowNames = (row: Locator) => row.locator('.wf-service').textContent();
    expect(await rows.count()).toBe(3);
    expect([await rowNames(rows.nth(0)), await rowNames(rows.nth(1)), await rowNames(rows.nth(2))]).toEqual([
      'front',
      'front',
      'back',
    ]);

    const duplicate = rows.nth(1);
    const judged = rows.nth(0);
    // A visible tag, with the explanation on hover (the tag and the row), and in the hop's name.
    const tag = duplicate.locator('.flag', { hasText: 'duplicate' });
    expect(await tag.isVisible()).toBe(true);
    expect(await tag.getAttribute('title')).toBe(DUPLICATE_TITLE);
    expect(await duplicate.getAttribute('title')).toBe(DUPLICATE_TITLE);
    expect(await judged.locator('.flag', { hasText: 'duplicate' }).count()).toBe(0);
    expect(await duplicate.getByRole('button').textContent()).toContain(`duplicate: ${DUPLICATE_TITLE}`);
    expect(await page.getByText('not counted in the verdict.', { exact: false }).count()).toBeGreaterThan(0);

    // Greyed: muted service name and status, a pale bar; the judged hop keeps its colours.
    const look = (row: Locator) =>
      row.evaluate((li) => {
        type Styled = { querySelector(s: string): unknown };
        const win = globalThis as unknown as {
          getComputedStyle(e: unknown): { color: string; backgroundColor: string };
        };
        const el = li as unknown as Styled;
        return {
          service: win.getComputedStyle(el.querySelector('.wf-service')).color,
          status: win.getComputedStyle(el.querySelector('.wf-status > span')).color,
          bar: win.getComputedStyle(el.querySelector('.wf-bar')).backgroundColor,
        };
      });
    const muted = 'rgb(86, 96, 113)';
    expect(await look(duplicate)).toEqual({ service: muted, status: muted, bar: 'rgb(227, 170, 164)' });
    expect(await look(judged)).toMatchObject({ service: 'rgb(27, 34, 48)', bar: 'rgb(74, 127, 214)' });
    expect(await look(judged)).not.toMatchObject({ status: muted });

    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'run-duplicate-hop');
    // The replay failed with a 500; the page logs nothing of it.
    expect(watched.problems()).toEqual([]);
    await page.close();
  });
});
