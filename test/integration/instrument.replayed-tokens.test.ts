import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunView } from '@hoptrace/core/api';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import { readHops, waitForHops } from '../support/hops';
import { cliEnv, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

/** The run's propagation headers, exactly as a service received them. */
type Context = { traceparent: string; baggage: string };

/** A pass-through HTTP proxy in front of a service: keeps the headers it forwarded, and may replay them. */
interface ReplayProxy {
  url: string;
  seen: Context[];
  /** Called after the original request was answered, before the answer goes back to the caller. */
  onForwarded?: (context: Context) => Promise<void>;
  close(): Promise<void>;
}

function startProxy(target: string): Promise<ReplayProxy> {
  const proxy = { seen: [] as Context[] } as unknown as ReplayProxy;
  const server: Server = createServer((req, res) => {
    const context = { traceparent: String(req.headers.traceparent), baggage: String(req.headers.baggage) };
    proxy.seen.push(context);
    void (async () => {
      const answer = await fetch(`${target}${req.url ?? '/'}`, { headers: context });
      const body = await answer.text();
      await proxy.onForwarded?.(context);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(body);
    })().catch((error: unknown) => res.writeHead(502).end(String(error)));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      proxy.close = () => {
        server.closeAllConnections();
        return new Promise((r) => server.close(() => r()));
      };
      resolve(proxy);
    });
  });
}

/** The run id inside the probe token of a baggage header. */
function runIdOf(context: Context): string {
  const token = context.baggage.split(',').find((m) => m.trim().startsWith(`${PROBE_BAGGAGE_KEY}=`))!;
  return token.split('=')[1]!.split('.')[3]!;
}

/** Sends the run's exact headers again. */
async function replay(url: string, context: Context): Promise<number> {
  const res = await fetch(url, { headers: context });
  await res.arrayBuffer();
  return res.status;
}

// Someone who captured a run's traceparent and baggage re-sends them, while the run is in flight
// and after its verdict, to a route that works and to one that fails. The services accept the
// token (it is valid for this trace), so the replays leave hop records; the classifier flags them
// as duplicates and the verdict does not move.
describe('a probe token replayed on its own trace', () => {
  const prefix = uniquePrefix('replay');
  let redis: Redis;
  let front: RunningService;
  let back: RunningService;
  let frontProxy: ReplayProxy;
  let backProxy: ReplayProxy;
  let oamserver: RunningOamserver;

  beforeAll(async () => {
    redis = testRedis();
    back = await startService('express5-esm', { name: 'back', env: { HOPTRACE_KEY_PREFIX: prefix } });
    backProxy = await startProxy(back.url);
    front = await startService('express5-esm', {
      name: 'front',
      env: { HOPTRACE_KEY_PREFIX: prefix, NEXT_URL: `${backProxy.url}/work` },
    });
    frontProxy = await startProxy(front.url);
    const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: replayed
    enabled: false
    timeout: 5s
    trigger: { http: { url: ${frontProxy.url}/work } }
    path: [front, back]
`);
    oamserver = await startOamserver(config, cliEnv());
  });

  afterAll(async () => {
    await oamserver?.stop();
    await Promise.all([frontProxy?.close(), backProxy?.close()]);
    await Promise.all([front?.stop(), back?.stop()]);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  async function fireRun(): Promise<string> {
    const res = await fetch(`${oamserver.url}/api/probes/replayed/runs`, { method: 'POST' });
    expect(res.status).toBe(202);
    return ((await res.json()) as { runId: string }).runId;
  }

  function verdictOf(runId: string): Promise<RunView> {
    return waitFor(
      async () => {
        const view = (await (await fetch(`${oamserver.url}/api/runs/${runId}`)).json()) as RunView;
        return view.state === 'done' ? view : undefined;
      },
      { timeoutMs: 15_000, what: `run ${runId} to be classified` },
    );
  }

  it('replays while the run is in flight are flagged, and the run stays ok', async () => {
    // back's headers are replayed (to /work and to /fail) before back's answer reaches front, so
    // before front's hop is written and the run can be classified.
    backProxy.onForwarded = async (context) => {
      expect(await replay(`${back.url}/work`, context)).toBe(200);
      expect(await replay(`${back.url}/fail`, context)).toBe(500);
      await waitForHops(redis, prefix, runIdOf(context), 3);
    };
    const runId = await fireRun();
    const view = await verdictOf(runId);
    backProxy.onForwarded = undefined;

    expect(view.verdict).toBe('ok');
    expect(view.fault).toBeUndefined();
    const backs = view.hops.filter((h) => h.service === 'back');
    expect(backs).toHaveLength(3);
    expect(backs.filter((h) => h.duplicate)).toHaveLength(2);
    expect(backs.find((h) => !h.duplicate)).toMatchObject({ operation: 'GET /work', status: 'ok' });
    expect(backs.find((h) => h.status === 'error')).toMatchObject({ duplicate: true });
    expect(view.facts?.duplicateHops).toEqual(['back']);
  });

  it('replays after the verdict leave hops but never change it', async () => {
    const runId = await fireRun();
    const before = await verdictOf(runId);
    expect(before.verdict).toBe('ok');
    const frontContext = frontProxy.seen.find((c) => runIdOf(c) === runId)!;
    const backContext = backProxy.seen.find((c) => runIdOf(c) === runId)!;

    // The entry's headers replayed make a whole second chain (front calls back again).
    expect(await replay(`${front.url}/work`, frontContext)).toBe(200);
    expect(await replay(`${front.url}/fail`, frontContext)).toBe(500);
    expect(await replay(`${back.url}/fail`, backContext)).toBe(500);
    const hops = await waitForHops(redis, prefix, runId, 6);
    expect(hops.filter((h) => h.status === 'error')).toHaveLength(2);

    const after = (await (await fetch(`${oamserver.url}/api/runs/${runId}`)).json()) as RunView;
    expect(after.verdict).toBe('ok');
    expect(after.classifiedAt).toBe(before.classifiedAt);
    expect(after.hops).toEqual(before.hops);
    expect((await readHops(redis, prefix, runId)).length).toBeGreaterThanOrEqual(6);
  });
});
