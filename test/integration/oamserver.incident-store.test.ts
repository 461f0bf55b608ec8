import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisKeys, type RedisKeys } from '@hoptrace/core';
import {
  IncidentStore,
  IncidentTracker,
  RollingStats,
  StorageHealth,
  type Incident,
  type IncidentEvent,
  type IncidentRules,
  type IncidentTransition,
  type PlaceVisit,
  type RunResult,
} from '@hoptrace/oamserver';
// Not part of the public surface: how the Oamserver feeds its rolling statistics from each result.
import { recordRun } from '../../packages/oamserver/dist/stats/record-run.js';
import { summarizeResult } from '../../packages/oamserver/dist/store/run-summary.js';
import { resultAt } from '../../packages/oamserver/test/support/scenarios';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

const PROBE = 'deposit-voicemail';
const HOUR_MS = 3_600_000;
const RULES: IncidentRules = { openAfter: 2, resolveAfter: 3, retentionMs: HOUR_MS };

const admin = testRedis();
const clients: Redis[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysUnder(admin, prefix);
  await Promise.all(clients.map((c) => c.quit()));
  await admin.quit();
});

/** A fresh key space and an IncidentStore on it, with its own Redis connection (as an Oamserver has). */
function newStore(
  rules: Partial<IncidentRules> = {},
  prefix = uniquePrefix('incidents'),
): { store: IncidentStore; keys: RedisKeys; prefix: string } {
  if (!prefixes.includes(prefix)) prefixes.push(prefix);
  const client = new Redis(REDIS_URL);
  clients.push(client);
  const keys = createRedisKeys(prefix);
  return { store: new IncidentStore(client, keys, { ...RULES, ...rules }), keys, prefix };
}

const FIRST_FIRED_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

/** Run `n` of a series: fired every 10 s. */
const firedAt = (n: number) => FIRST_FIRED_MS + n * 10_000;

/** A visit of recorder-2 by run `n`: slow (or another kind) when `kind` is given, else healthy. */
function visit(n: number, fields: Partial<PlaceVisit> = {}): PlaceVisit {
  return {
    probe: PROBE,
    service: 'recorder',
    placeInstance: 'recorder-2',
    kind: 'slow',
    visitInstance: 'recorder-2',
    runId: `run-${n}`,
    firedAtMs: firedAt(n),
    latencyMs: 400 + n,
    reason: `recorder took ${400 + n}ms, budget 200ms`,
    minDistinct: 1,
    suppressOpen: false,
    ...fields,
  };
}
const healthy = (n: number, fields: Partial<PlaceVisit> = {}) =>
  visit(n, { kind: undefined, latencyMs: undefined, reason: 'healthy', ...fields });

const types = (transitions: IncidentTransition[]) => transitions.map((t) => `${t.type} ${t.incident.kind}`);

describe('IncidentStore on Redis (record-visit.lua)', () => {
  it('opens after openAfter faulty visits in a row, once; later faulty visits update it', async () => {
    const { store } = newStore();
    expect(await store.visit(visit(1, { latencyMs: 400 }))).toEqual([]);
    const [opened, ...more] = await store.visit(visit(2, { latencyMs: 420 }));
    expect(more).toEqual([]);
    expect(opened?.type).toBe('opened');
    expect(opened?.incident).toMatchObject({
      probe: PROBE,
      service: 'recorder',
      instance: 'recorder-2',
      kind: 'slow',
      state: 'open',
      startedAtMs: firedAt(1),
      lastSeenAtMs: firedAt(2),
      runsAffected: 2,
      exampleRuns: ['run-1', 'run-2'],
      worstMs: 420,
      typicalMs: 400,
      instancesFailing: ['recorder-2'],
      reason: 'recorder took 402ms, budget 200ms',
    });
    expect(opened?.incident.id).toMatch(/^deposit-voicemail\/recorder\/recorder-2\/slow\/\d+-run-\d+$/);

    // Six more slow runs: each updates the same incident.
    const latencies = [500, 410, 450, 430, 440, 405];
    const updates: IncidentTransition[] = [];
    for (const [i, latencyMs] of latencies.entries()) updates.push(...(await store.visit(visit(3 + i, { latencyMs }))));
    expect(updates.map((u) => u.type)).toEqual(['updated', 'updated', 'updated', 'updated', 'updated', 'updated']);
    expect(new Set(updates.map((u) => u.incident.id))).toEqual(new Set([opened!.incident.id]));
    const last = updates[updates.length - 1]!.incident;
    expect(last).toMatchObject({
      state: 'open',
      runsAffected: 8,
      startedAtMs: firedAt(1),
      lastSeenAtMs: firedAt(8),
      worstMs: 500,
      // Median of 400, 405, 410, 420, 430, 440, 450, 500 (the lower middle one).
      typicalMs: 420,
      openedAtMs: opened!.incident.openedAtMs,
      reason: 'recorder took 408ms, budget 200ms',
    });
    // At most 5 example runs: the first ones and the latest.
    expect(last.exampleRuns).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-8']);
  });

  it('a healthy visit between faults resets the streak: nothing opens', async () => {
    const { store } = newStore();
    const transitions: IncidentTransition[] = [];
    for (let n = 1; n <= 8; n++) transitions.push(...(await store.visit(n % 2 === 1 ? visit(n) : healthy(n))));
    expect(transitions).toEqual([]);
    // Two faults in a row, at last: it opens, counting only this streak.
    expect(await store.visit(visit(9))).toEqual([]);
    const [opened] = await store.visit(visit(10));
    expect(opened?.type).toBe('opened');
    expect(opened?.incident).toMatchObject({
      runsAffected: 2,
      startedAtMs: firedAt(9),
      exampleRuns: ['run-9', 'run-10'],
    });
  });

  it('resolves after resolveAfter healthy visits in a row, once; a fault in between holds it open', async () => {
    const { store } = newStore({ resolveAfter: 3 });
    await store.visit(visit(1));
    const [opened] = await store.visit(visit(2));
    expect(opened?.type).toBe('opened');

    const seen: string[] = [];
    const record = async (v: PlaceVisit) => seen.push(...types(await store.visit(v)));
    await record(healthy(3));
    await record(healthy(4));
    await record(visit(5)); // flapping: back again before it resolved
    await record(healthy(6));
    await record(healthy(7));
    expect(seen).toEqual(['updated slow']);

    const [resolved, ...more] = await store.visit(healthy(8));
    expect(more).toEqual([]);
    expect(resolved?.type).toBe('resolved');
    expect(resolved?.incident).toMatchObject({ id: opened!.incident.id, state: 'resolved', runsAffected: 3 });
    expect(resolved?.incident.resolvedAtMs).toBeGreaterThanOrEqual(opened!.incident.openedAtMs);
    // Resolved once: more healthy visits change nothing.
    expect(await store.visit(healthy(9))).toEqual([]);
    expect(await store.visit(healthy(10))).toEqual([]);
  });

  it('after it resolved, a new streak opens a new incident', async () => {
    const { store } = newStore({ resolveAfter: 1 });
    await store.visit(visit(1));
    const [first] = await store.visit(visit(2));
    expect(types(await store.visit(healthy(3)))).toEqual(['resolved slow']);
    expect(await store.visit(visit(4))).toEqual([]);
    const [second] = await store.visit(visit(5));
    expect(second?.type).toBe('opened');
    expect(second?.incident.id).not.toBe(first?.incident.id);
    expect(second?.incident).toMatchObject({
      runsAffected: 2,
      startedAtMs: firedAt(4),
      exampleRuns: ['run-4', 'run-5'],
    });
  });

  it('a service-wide place with minDistinct 3 opens only once the streak has 3 different instances', async () => {
    const { store } = newStore();
    const place = (instance: string) => ({ placeInstance: undefined, visitInstance: instance, minDistinct: 3 });
    const sw = (n: number, instance: string) => visit(n, place(instance));
    // A healthy visit in the middle forgets the instances seen so far.
    const early: IncidentTransition[] = [];
    for (const v of [sw(1, 'recorder-1'), sw(2, 'recorder-2'), healthy(3, place('recorder-3')), sw(4, 'recorder-1')])
      early.push(...(await store.visit(v)));
    expect(early).toEqual([]);
    // The same instance many times is not enough.
    for (const n of [5, 6, 7]) expect(await store.visit(sw(n, 'recorder-1'))).toEqual([]);
    expect(await store.visit(sw(8, 'recorder-2'))).toEqual([]);
    const [opened] = await store.visit(sw(9, 'recorder-3'));
    expect(opened?.type).toBe('opened');
    expect(opened?.incident.instance).toBeUndefined();
    expect(opened?.incident).toMatchObject({
      service: 'recorder',
      kind: 'slow',
      runsAffected: 6,
      startedAtMs: firedAt(4),
    });
    expect([...(opened?.incident.instancesFailing ?? [])].sort()).toEqual(['recorder-1', 'recorder-2', 'recorder-3']);
    expect(opened?.incident.id).toMatch(/^deposit-voicemail\/recorder\/\*\/slow\//);
  });

  it('suppressOpen keeps a place from opening; the streak goes on counting', async () => {
    const { store } = newStore();
    for (const n of [1, 2, 3]) expect(await store.visit(visit(n, { suppressOpen: true }))).toEqual([]);
    const [opened] = await store.visit(visit(4));
    expect(opened?.type).toBe('opened');
    expect(opened?.incident.runsAffected).toBe(4);
  });

  it('fault kinds at one place are independent', async () => {
    const { store } = newStore();
    const error = (n: number) => visit(n, { kind: 'error', latencyMs: undefined, reason: 'HTTP 500' });
    const seen: string[][] = [];
    for (const v of [visit(1), error(2), visit(3), error(4), visit(5)]) seen.push(types(await store.visit(v)));
    expect(seen).toEqual([[], [], ['opened slow'], ['opened error'], ['updated slow']]);
    // A healthy visit counts against both; three resolve both, each once.
    expect(await store.visit(healthy(6))).toEqual([]);
    expect(await store.visit(healthy(7))).toEqual([]);
    expect(types(await store.visit(healthy(8))).sort()).toEqual(['resolved error', 'resolved slow']);
  });

  it("the place's key expires after the retention, refreshed by every visit", async () => {
    const { store, keys } = newStore({ retentionMs: HOUR_MS });
    await store.visit(visit(1));
    const key = keys.place(PROBE, 'recorder', 'recorder-2');
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(HOUR_MS - 10_000);
    expect(ttl).toBeLessThanOrEqual(HOUR_MS);
    await admin.pexpire(key, 5000);
    await store.visit(healthy(2));
    expect(await admin.pttl(key)).toBeGreaterThan(HOUR_MS - 10_000);
    expect(await admin.hkeys(key)).toEqual(['slow']);
  });

  it('two Oamservers visiting the same place at once open it exactly once', async () => {
    const a = newStore({ openAfter: 2 });
    const b = newStore({ openAfter: 2 }, a.prefix);
    const visits = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a.store : b.store).visit(visit(i + 1)));
    const transitions = (await Promise.all(visits)).flat();
    expect(transitions.filter((t) => t.type === 'opened')).toHaveLength(1);
    expect(transitions.filter((t) => t.type === 'updated')).toHaveLength(18);
    expect(new Set(transitions.map((t) => t.incident.id)).size).toBe(1);
    const runsAffected = transitions.map((t) => t.incident.runsAffected).sort((x, y) => x - y);
    expect(runsAffected).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
  });

  it('save and list: open ones or all, newest first; supersede resolves an instance incident into a service-wide one', async () => {
    const { store } = newStore();
    // recorder-2 opens (its place state is in Redis), and so does the service as a whole.
    await store.visit(visit(1));
    const [instanceOpened] = await store.visit(visit(2));
    await store.save(instanceOpened!.incident);
    const sw = (n: number) => visit(n, { placeInstance: undefined, minDistinct: 0 });
    await store.visit(sw(3));
    const [serviceOpened] = await store.visit(sw(4));
    expect(serviceOpened?.type).toBe('opened');
    // Opened in the same millisecond as the instance one? Keep the order unambiguous.
    const serviceWide: Incident = {
      ...serviceOpened!.incident,
      openedAtMs: Math.max(serviceOpened!.incident.openedAtMs, instanceOpened!.incident.openedAtMs + 1),
    };
    await store.save(serviceWide);
    // An older resolved incident, still within the retention.
    const openedEarlier = instanceOpened!.incident.openedAtMs - 60_000;
    const old: Incident = {
      ...instanceOpened!.incident,
      id: `deposit-voicemail/storage/storage-1/error/${openedEarlier}`,
      service: 'storage',
      instance: 'storage-1',
      kind: 'error',
      state: 'resolved',
      openedAtMs: openedEarlier,
      resolvedAtMs: openedEarlier + 1000,
    };
    await store.save(old);
    // A resolved incident opened longer ago than the retention is forgotten at the next save.
    const ancient: Incident = {
      ...old,
      id: 'deposit-voicemail/storage/storage-1/error/1',
      openedAtMs: 1,
      resolvedAtMs: 2,
    };
    await store.save(ancient);
    expect((await store.list({ state: 'all' })).map((i) => i.id)).not.toContain(ancient.id);

    expect((await store.list({ state: 'open' })).map((i) => i.id)).toEqual([
      serviceWide.id,
      instanceOpened!.incident.id,
    ]);
    expect((await store.list()).map((i) => i.id)).toEqual([serviceWide.id, instanceOpened!.incident.id, old.id]);
    expect((await store.list({ state: 'all', limit: 2 })).map((i) => i.id)).toEqual([
      serviceWide.id,
      instanceOpened!.incident.id,
    ]);

    const merged = await store.supersede(instanceOpened!.incident, serviceWide);
    expect(merged).toMatchObject({ id: instanceOpened!.incident.id, state: 'resolved', mergedInto: serviceWide.id });
    expect(merged?.resolvedAtMs).toEqual(expect.any(Number));
    expect((await store.list({ state: 'open' })).map((i) => i.id)).toEqual([serviceWide.id]);
    expect((await store.list()).find((i) => i.id === instanceOpened!.incident.id)).toMatchObject({
      state: 'resolved',
      mergedInto: serviceWide.id,
    });
    // Only once: it is no longer open.
    expect(await store.supersede(instanceOpened!.incident, serviceWide)).toBeUndefined();
    // The place knows it too: another slow run at recorder-2 (held back from opening while the
    // service-wide incident is open) does not update the merged incident.
    expect(await store.visit(visit(5, { suppressOpen: true }))).toEqual([]);
  });
});

describe('IncidentTracker on Redis, with real classified runs', () => {
  it('one slow instance of three is an instance incident; all three slow, a service-wide one takes over', async () => {
    const { store } = newStore({ openAfter: 2, resolveAfter: 3 });
    const stats = new RollingStats();
    const storageHealth = new StorageHealth();
    const events: IncidentEvent[] = [];
    const warnings: string[] = [];
    const tracker = new IncidentTracker({
      store,
      stats,
      storageHealth,
      onEvent: (e) => events.push(e),
      warn: (m) => warnings.push(m),
    });
    await tracker.refresh();

    // Runs go round robin over three recorder instances, every 10 s over the last few minutes.
    const startMs = Date.now() - 10 * 60_000;
    let n = 0;
    const run = async (instance: string, slow: boolean): Promise<RunResult> => {
      n += 1;
      const result = resultAt(
        { runId: `run-${n}`, firedAtMs: startMs + n * 10_000 },
        { hops: { recorder: { instance, ...(slow ? { workMs: 260 } : {}) } } },
      );
      expect(result.verdict).toBe(slow ? 'slow' : 'ok');
      recordRun(stats, summarizeResult(result));
      await tracker.handle(result);
      return result;
    };
    const round = async (slow: (instance: string) => boolean) => {
      for (const instance of ['recorder-1', 'recorder-2', 'recorder-3']) await run(instance, slow(instance));
    };
    const summary = (e: IncidentEvent) =>
      `${e.type} ${e.incident.service}/${e.incident.instance ?? '*'} ${e.incident.kind}`;

    // Only recorder-2 is slow.
    for (let i = 0; i < 3; i++) await round((instance) => instance === 'recorder-2');
    expect(events.map(summary)).toEqual(['incident.opened recorder/recorder-2 slow']);
    const instanceIncident = events[0]!.incident;
    expect(instanceIncident).toMatchObject({ state: 'open', runsAffected: 2, exampleRuns: ['run-2', 'run-5'] });
    // The service as a whole is not blamed.
    const openedFirst = await store.list({ state: 'open' });
    expect(openedFirst.map((i) => `${i.service}/${i.instance ?? '*'}`)).toEqual(['recorder/recorder-2']);
    expect(openedFirst[0]).toMatchObject({ runsAffected: 3, exampleRuns: ['run-2', 'run-5', 'run-8'] });
    expect(tracker.openIncidents().map((i) => i.id)).toEqual([instanceIncident.id]);

    // Then every instance is slow: three different instances in a row open the service-wide one.
    for (let i = 0; i < 3; i++) await round(() => true);
    expect(events.map(summary)).toEqual([
      'incident.opened recorder/recorder-2 slow',
      'incident.opened recorder/* slow',
      'incident.resolved recorder/recorder-2 slow',
    ]);
    const serviceWide = events[1]!.incident;
    expect(serviceWide.instance).toBeUndefined();
    expect([...(serviceWide.instancesFailing ?? [])].sort()).toEqual(['recorder-1', 'recorder-2', 'recorder-3']);
    expect(events[2]!.incident).toMatchObject({
      id: instanceIncident.id,
      state: 'resolved',
      mergedInto: serviceWide.id,
    });
    // No instance opens its own incident under the service-wide one.
    const open = await store.list({ state: 'open' });
    expect(open.map((i) => i.id)).toEqual([serviceWide.id]);
    expect(open[0]).toMatchObject({ runsAffected: 9 });
    expect(tracker.openIncidents().map((i) => i.id)).toEqual([serviceWide.id]);

    // The recorder heals: three healthy runs resolve the service-wide incident, once.
    for (let i = 0; i < 3; i++) await round(() => false);
    expect(events.map(summary)).toEqual([
      'incident.opened recorder/recorder-2 slow',
      'incident.opened recorder/* slow',
      'incident.resolved recorder/recorder-2 slow',
      'incident.resolved recorder/* slow',
    ]);
    expect(await store.list({ state: 'open' })).toEqual([]);
    const all = await store.list({ state: 'all' });
    expect(all.map((i) => `${i.service}/${i.instance ?? '*'} ${i.state}`).sort()).toEqual([
      'recorder/* resolved',
      'recorder/recorder-2 resolved',
    ]);
    expect(all.find((i) => i.id === instanceIncident.id)?.mergedInto).toBe(serviceWide.id);
    expect(warnings).toEqual([]);
    expect(storageHealth.failing).toBe(false);
  });
});
