import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisKeys, newRunId, partitionOf } from '@hoptrace/core';
import { apiErrorSchema, incidentListSchema, runsPageSchema, runSummariesPageSchema } from '@hoptrace/core/api';
import {
  Collector,
  IncidentStore,
  Oamserver,
  RunStore,
  StorageHealth,
  VERDICTS,
  parseProbeConfig,
  type Incident,
  type IncidentRules,
  type PlaceVisit,
  type RunRecord,
  type RunResult,
} from '@hoptrace/oamserver';
import { RESULTS, resultAt } from '../../packages/oamserver/test/support/scenarios';
import { TEST_SECRET } from '../support/probe';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

// Zod at every edge: what the Oamserver reads back from Redis is parsed with its schema. Records
// are written straight into Redis here, under the keys the stores use, the way a bug, another
// version or a person with redis-cli could leave them: not JSON, JSON of another shape, another
// run's record. The stores must read them as absent (documented per method), skip them in lists,
// and say so through `warn`; never return a mis-typed object, throw a TypeError, or count them as
// a storage outage. Valid data must read back exactly as it was written.

const admin = testRedis();
const clients: Redis[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysUnder(admin, prefix);
  await Promise.all(clients.map((c) => c.quit()));
  await admin.quit();
});

function newPrefix(label: string): string {
  const prefix = uniquePrefix(label);
  prefixes.push(prefix);
  return prefix;
}

/** A RunStore on a fresh key prefix, with its own connection, and the warnings it gives. */
function newRunStore(): { store: RunStore; warnings: string[]; prefix: string } {
  const prefix = newPrefix('stored-runs');
  const client = new Redis(REDIS_URL);
  clients.push(client);
  const warnings: string[] = [];
  return { store: new RunStore(client, { keyPrefix: prefix, warn: (m) => warnings.push(m) }), warnings, prefix };
}

/** A JSON round trip: what a value looks like once stored. */
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A classified run of the scenarios, with its own id, fired `agoMs` ago. */
function resultFiredAgo(agoMs: number, runId = newRunId()): RunResult {
  return resultAt({ runId, firedAtMs: Date.now() - agoMs });
}

/** A journey run with a structured path (optional service, `anyOrder` group) in a step. */
function journeyRecord(runId: string): RunRecord {
  const firedAtMs = Date.now() - 5000;
  return {
    runId,
    probe: 'voicemail-journey',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    firedAtMs,
    deadlineMs: firedAtMs + 60_000,
    path: ['gateway', 'mailbox', 'cache', 'gateway', 'recorder', 'notifier'],
    steps: [
      { name: 'open-box', path: ['gateway', 'mailbox', 'cache'], timeoutMs: 5000, budget: { totalMs: 800 } },
      {
        name: 'leave-message',
        path: ['gateway', 'recorder', 'notifier'],
        pathSteps: ['gateway', { service: 'recorder', optional: true }, { anyOrder: ['notifier', 'gateway'] }],
        timeoutMs: 5000,
        budget: { hopsMs: { recorder: 200 } },
      },
      { name: 'clean-up', path: ['gateway'], timeoutMs: 2000, cleanup: true },
    ],
  };
}

describe('RunStore reads back what it wrote, unchanged', () => {
  it('a classified run of every verdict: loadRun and loadSummaries give what was stored, and nothing is reported', async () => {
    const { store, warnings } = newRunStore();
    for (const verdict of VERDICTS) {
      const made = RESULTS[verdict]();
      const result: RunResult = { ...made, run: { ...made.run, runId: newRunId() } };
      await store.createRun(result.run);
      if (result.trigger) await store.recordTrigger(result.run.runId, result.trigger);
      expect(await store.finishRun(result)).toBe('stored');

      const loaded = await store.loadRun(result.run.runId);
      expect(loaded?.state, verdict).toBe('done');
      expect(loaded?.result, verdict).toEqual(stored(result));
      expect(loaded?.run, verdict).toEqual(stored(result.run));
      expect(loaded?.trigger, verdict).toEqual(result.trigger && stored(result.trigger));
      const [summary] = await store.loadSummaries([result.run.runId]);
      expect(summary?.verdict, verdict).toBe(verdict);
    }
    expect(warnings).toEqual([]);
    expect(store.stored.counts()).toEqual({});
  });

  it('a journey in flight: its plan (structured paths, budgets) and its step outcomes', async () => {
    const { store, warnings } = newRunStore();
    const run = journeyRecord(newRunId());
    const trigger = {
      kind: 'http',
      ok: true,
      delivered: true,
      status: 201,
      expectedStatus: '2xx' as const,
      durationMs: 12.5,
    };
    const outcome = {
      spanId: '00f067aa0ba902b7',
      earlierSpanIds: ['00f067aa0ba902b6'],
      firedAtMs: run.firedAtMs + 10,
      trigger: { ...trigger, captured: { messageId: 'm-1', count: 2, fresh: true } },
      attempts: 2,
    };
    await store.createRun(run);
    await store.recordTrigger(run.runId, trigger);
    await store.recordStep(run.runId, 0, outcome);
    await store.recordStep(run.runId, 2, { skipped: 'step open-box failed before it' });

    expect(await store.loadRun(run.runId)).toEqual({
      run: stored(run),
      state: 'pending',
      trigger,
      result: undefined,
      steps: [outcome, undefined, { skipped: 'step open-box failed before it' }],
    });
    const [summary] = await store.loadSummaries([run.runId]);
    expect(summary).toMatchObject({ runId: run.runId, state: 'pending' });
    expect(warnings).toEqual([]);
  });
});

describe('RunStore on corrupt stored runs', () => {
  const CORRUPT_RECORDS = {
    'not JSON': '{"runId": "half a record',
    'JSON of another shape': JSON.stringify({ runId: 'x', path: 'gateway → mailbox', deadlineMs: '5s' }),
    'a list': JSON.stringify(['gateway', 'mailbox']),
  };

  for (const [what, raw] of Object.entries(CORRUPT_RECORDS)) {
    it(`a run record that is ${what}: the run reads as not stored, lists skip it, a warning says so`, async () => {
      const { store, warnings } = newRunStore();
      const good = resultFiredAgo(2000);
      await store.createRun(good.run);
      await store.finishRun(good);
      const bad = resultFiredAgo(1000);
      await store.createRun(bad.run);
      await admin.hset(store.keys.run(bad.run.runId), 'run', raw.replace('"x"', JSON.stringify(bad.run.runId)));

      expect(await store.loadRun(bad.run.runId)).toBeUndefined();
      expect(await store.loadSummaries([bad.run.runId, good.run.runId])).toEqual([
        undefined,
        expect.objectContaining({ runId: good.run.runId, verdict: good.verdict }),
      ]);
      // The newer, corrupt run is first in the index: left out, the good one still listed.
      expect((await store.recentRuns()).map((r) => r.run.runId)).toEqual([good.run.runId]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^corrupt run record in storage \(.+\): ignored, as if absent; 1 so far$/);
      // Read three times (loadRun, loadSummaries, recentRuns), warned about once.
      expect(store.stored.counts()).toEqual({ 'run record': 3 });
    });
  }

  it("another run's record under a run's key reads as not stored", async () => {
    const { store, warnings } = newRunStore();
    const other = resultFiredAgo(1000);
    const runId = newRunId();
    await admin.hset(store.keys.run(runId), { run: JSON.stringify(other.run), state: 'pending' });

    expect(await store.loadRun(runId)).toBeUndefined();
    expect(await store.loadSummaries([runId])).toEqual([undefined]);
    expect(warnings).toEqual([
      'corrupt run record in storage (runId: not the run of its key): ignored, as if absent; 1 so far',
    ]);
  });

  it('a classified run whose result and summary are corrupt reads as not stored; with a good summary it is still listed', async () => {
    const { store, warnings } = newRunStore();
    const result = resultFiredAgo(1000);
    await store.createRun(result.run);
    await store.finishRun(result);
    const key = store.keys.run(result.run.runId);
    const goodSummary = await admin.hget(key, 'summary');
    // A result of another shape: no facts, hops as a count.
    await admin.hset(key, 'result', JSON.stringify({ verdict: 'ok', hops: 5, run: result.run }));

    expect(await store.loadRun(result.run.runId)).toBeUndefined();
    expect(await store.loadSummaries([result.run.runId])).toEqual([
      expect.objectContaining({ runId: result.run.runId, verdict: result.verdict }),
    ]);

    await admin.hset(key, 'summary', JSON.stringify({ runId: result.run.runId, verdict: 'fine' }));
    expect(await store.loadSummaries([result.run.runId])).toEqual([undefined]);
    expect(warnings.some((w) => w.startsWith('corrupt run result in storage (facts: '))).toBe(true);
    expect(warnings.some((w) => w.startsWith('corrupt run summary in storage ('))).toBe(true);
    expect(goodSummary).not.toBeNull();
  });

  it("a corrupt trigger outcome or step outcome reads as not recorded yet; the run's other fields still read", async () => {
    const { store, warnings } = newRunStore();
    const run = journeyRecord(newRunId());
    const outcome = { spanId: '00f067aa0ba902b7', firedAtMs: run.firedAtMs + 10, attempts: 1 };
    await store.createRun(run);
    await store.recordStep(run.runId, 1, outcome);
    const key = store.keys.run(run.runId);
    await admin.hset(key, 'trigger', JSON.stringify({ kind: 'http', ok: 'yes', durationMs: 3 }));
    await admin.hset(key, 'step:0', 'attempts=2');
    await admin.hset(key, 'step:2', JSON.stringify({ attempts: 'two' }));

    expect(await store.loadRun(run.runId)).toEqual({
      run: stored(run),
      state: 'pending',
      trigger: undefined,
      result: undefined,
      steps: [undefined, outcome, undefined],
    });
    expect(store.stored.counts()).toEqual({ 'trigger outcome': 1, 'step outcome': 2 });
    // One warning per kind of record (the second corrupt step outcome is counted, not logged).
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(
      'corrupt trigger outcome in storage (ok: Invalid input: expected boolean, received string): ignored, as if absent; 1 so far',
    );
    expect(warnings[1]).toBe('corrupt step outcome in storage (not JSON): ignored, as if absent; 1 so far');
  });

  it('a collector pass meets a corrupt pending run: it drops it, classifies the others, and storage is not judged failing', async () => {
    const { store, warnings } = newRunStore();
    const health = new StorageHealth();
    const collector = new Collector({ store, storageHealth: health, warn: (m) => warnings.push(m) });
    // Both past their deadline and the grace after it.
    const good = resultFiredAgo(60_000).run;
    const bad = resultFiredAgo(60_000).run;
    await store.createRun(good);
    await store.createRun(bad);
    // Its record without a path: before parsing, the classifier met `undefined` and threw.
    await admin.hset(store.keys.run(bad.runId), 'run', JSON.stringify({ ...bad, path: undefined }));

    await collector.pass();

    expect(await admin.zscore(store.keys.pendingPartition(partitionOf(bad.runId)), bad.runId)).toBeNull();
    expect((await store.loadRun(good.runId))?.state).toBe('done');
    expect(health.lastError).toBeUndefined();
    expect(health.unavailableBetween(0, Date.now())).toBe(false);
    expect(warnings).toEqual([
      'corrupt run record in storage (path: Invalid input: expected array, received undefined): ignored, as if absent; 1 so far',
    ]);
  });
});

const HOUR_MS = 3_600_000;
const RULES: IncidentRules = { openAfter: 2, resolveAfter: 3, retentionMs: HOUR_MS };

/** An IncidentStore on a fresh key prefix, with its own connection, and the warnings it gives. */
function newIncidentStore(prefix = newPrefix('stored-incidents')) {
  const client = new Redis(REDIS_URL);
  clients.push(client);
  const keys = createRedisKeys(prefix);
  const warnings: string[] = [];
  return { store: new IncidentStore(client, keys, RULES, { warn: (m) => warnings.push(m) }), keys, warnings };
}

/** A slow visit of recorder-2 by run `n`. */
function slowVisit(n: number): PlaceVisit {
  return {
    probe: 'deposit-voicemail',
    service: 'recorder',
    placeInstance: 'recorder-2',
    kind: 'slow',
    visitInstance: 'recorder-2',
    runId: `run-${n}`,
    firedAtMs: Date.now() - 60_000 + n * 1000,
    latencyMs: 400 + n,
    reason: 'recorder took too long',
    minDistinct: 1,
    suppressOpen: false,
  };
}

/** An incident of recorder-2 opened by two slow visits (and saved to the list, as the tracker does). */
async function openIncident(store: IncidentStore): Promise<Incident> {
  await store.visit(slowVisit(1));
  const [opened] = await store.visit(slowVisit(2));
  expect(opened?.type).toBe('opened');
  await store.save(opened!.incident);
  return opened!.incident;
}

describe('IncidentStore on corrupt stored incidents', () => {
  it('lists leave corrupt incidents out, get reads them as unknown, valid ones read back unchanged', async () => {
    const { store, keys, warnings } = newIncidentStore();
    const good = await openIncident(store);
    // Written by hand: not JSON, and an incident of another shape, both open and recent.
    const openedAtMs = good.openedAtMs + 1000;
    const bad = {
      'bad-1': '{"id": "bad-1", "state": "op',
      'bad-2': JSON.stringify({ id: 'bad-2', state: 'open', openedAtMs }),
    };
    for (const [id, raw] of Object.entries(bad)) {
      await admin.hset(keys.incidents(), id, raw);
      await admin.sadd(keys.openIncidents(), id);
      await admin.zadd(keys.recentIncidents(), openedAtMs, id);
    }

    expect(await store.list({ state: 'open' })).toEqual([good]);
    expect(await store.list({ state: 'all' })).toEqual([good]);
    expect(await store.get('bad-1')).toBeUndefined();
    expect(await store.get('bad-2')).toBeUndefined();
    expect(await store.get(good.id)).toEqual(good);
    expect(good).toMatchObject({ exampleRuns: ['run-1', 'run-2'], instancesFailing: ['recorder-2'] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^corrupt incident in storage \((not JSON|probe: .+)\): ignored, as if absent; \d so far$/,
    );
    expect(store.stored.counts().incident).toBe(6);
  });

  it('an empty list as cjson writes it (`{}`) reads back as an empty list; a list of another type is corrupt', async () => {
    const { store, keys, warnings } = newIncidentStore();
    const good = await openIncident(store);
    const luaLists = { ...good, id: 'lua-lists', exampleRuns: {}, instancesFailing: undefined };
    await admin.hset(keys.incidents(), 'lua-lists', JSON.stringify(luaLists));
    await admin.hset(keys.incidents(), 'bad-list', JSON.stringify({ ...good, id: 'bad-list', exampleRuns: 'run-1' }));

    expect(await store.get('lua-lists')).toEqual({ ...good, id: 'lua-lists', exampleRuns: [], instancesFailing: [] });
    expect(await store.get('bad-list')).toBeUndefined();
    expect(warnings).toEqual([
      'corrupt incident in storage (exampleRuns: Invalid input): ignored, as if absent; 1 so far',
    ]);
  });

  it("a place whose state is corrupt: the script's transition of another shape is left out, not thrown nor saved", async () => {
    const { store, keys, warnings } = newIncidentStore();
    const place = keys.place('deposit-voicemail', 'recorder', 'recorder-2');
    // An open incident with most of its fields missing, as a foreign writer might leave it.
    const state = {
      faulty: 3,
      healthy: 0,
      instances: [],
      pending: [],
      latencies: [],
      incident: { id: 'half', state: 'open', runsAffected: 3 },
    };
    await admin.hset(place, 'slow', JSON.stringify(state));

    expect(await store.visit(slowVisit(3))).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^corrupt incident transition in storage \(incident\.\w+: .+\): ignored, as if absent; 1 so far$/,
    );

    // supersede-incident.lua resolves it, but returns it in the same shape: not saved to the list.
    const good = await openIncident(newIncidentStore().store);
    const resolved = await store.supersede(
      { ...good, id: 'half' },
      { ...good, id: 'service-wide', instance: undefined },
    );
    expect(resolved).toBeUndefined();
    expect(await store.get('half')).toBeUndefined();
    expect(await store.list({ state: 'all' })).toEqual([]);
    expect(store.stored.counts()).toEqual({ 'incident transition': 1, incident: 1 });
  });
});

describe('the HTTP API on corrupt stored data', () => {
  it('list endpoints skip corrupt runs and incidents; one corrupt run or incident is a 404 with its code, never a 500', async () => {
    const prefix = newPrefix('stored-api');
    const warnings: string[] = [];
    const seeder = new Redis(REDIS_URL);
    clients.push(seeder);
    const store = new RunStore(seeder, { keyPrefix: prefix });
    const good = resultFiredAgo(3000);
    const badRecord = resultFiredAgo(2000);
    const badResult = resultFiredAgo(1000);
    for (const result of [good, badRecord, badResult]) {
      await store.createRun(result.run);
      await store.finishRun(result);
    }
    await admin.hset(store.keys.run(badRecord.run.runId), { run: '{"runId":', summary: '' });
    await admin.hset(store.keys.run(badResult.run.runId), { result: '{"verdict":"ok"}', summary: '[]' });
    const incidents = newIncidentStore(prefix);
    const incident = await openIncident(incidents.store);
    await admin.hset(incidents.keys.incidents(), 'bad', JSON.stringify({ id: 'bad', state: 'open' }));
    await admin.sadd(incidents.keys.openIncidents(), 'bad');
    await admin.zadd(incidents.keys.recentIncidents(), Date.now(), 'bad');

    const config = await parseProbeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - { name: deposit-voicemail, every: 1h, timeout: 5s, trigger: { http: { url: "http://127.0.0.1:9/" } }, path: [gateway, mailbox, recorder, storage, notifier] }
`);
    const server = new Oamserver({
      config,
      secret: TEST_SECRET,
      redisUrl: REDIS_URL,
      host: '127.0.0.1',
      port: 0,
      schedule: false,
      warn: (m) => warnings.push(m),
    });
    await server.start();
    try {
      const get = async (path: string) => {
        const res = await fetch(`${server.url}${path}`);
        const body: unknown = await res.json();
        return { status: res.status, body };
      };

      const full = await get('/api/runs');
      expect(full.status).toBe(200);
      expect(runsPageSchema.parse(full.body).runs.map((r) => r.runId)).toEqual([good.run.runId]);
      const summaries = await get('/api/runs?view=summary');
      expect(summaries.status).toBe(200);
      expect(runSummariesPageSchema.parse(summaries.body).runs.map((r) => r.runId)).toEqual([good.run.runId]);
      for (const runId of [badRecord.run.runId, badResult.run.runId]) {
        const one = await get(`/api/runs/${runId}`);
        expect(one.status).toBe(404);
        expect(apiErrorSchema.parse(one.body).code).toBe('HOPTRACE_API_NOT_FOUND');
      }
      expect((await get(`/api/runs/${good.run.runId}`)).status).toBe(200);

      for (const state of ['open', 'all']) {
        const list = await get(`/api/incidents?state=${state}`);
        expect(list.status).toBe(200);
        expect(incidentListSchema.parse(list.body).incidents.map((i) => i.id)).toEqual([incident.id]);
      }
      const one = await get('/api/incidents/bad');
      expect(one.status).toBe(404);
      expect(apiErrorSchema.parse(one.body).code).toBe('HOPTRACE_API_NOT_FOUND');

      for (const what of ['run record', 'run result', 'incident']) {
        expect(warnings.some((w) => w.startsWith(`corrupt ${what} in storage (`))).toBe(true);
      }
    } finally {
      await server.stop();
    }
  });
});
