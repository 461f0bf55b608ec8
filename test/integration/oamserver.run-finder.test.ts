import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsCursor, RunSummary } from '@hoptrace/core/api';
import { RunFinder, RunStore, type RunFilter, type RunResult } from '@hoptrace/oamserver';
import { resultAt } from '../../packages/oamserver/test/support/scenarios';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

// The paging engine behind GET /api/runs on a real Redis, with runs stored the way the collector
// stores them (createRun, then finishRun): bounded scans, the smallest index, and cursors that
// neither skip nor repeat runs fired in the same millisecond.

const redis = testRedis();
const prefixes: string[] = [];
const NOW = Date.now();

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
  await redis.quit();
});

/** A RunStore under a fresh key prefix, holding these runs. */
async function storeWith(results: RunResult[]): Promise<RunStore> {
  const prefix = uniquePrefix('runfinder');
  prefixes.push(prefix);
  const store = new RunStore(redis, { keyPrefix: prefix });
  for (const result of results) {
    await store.createRun(result.run);
    expect(await store.finishRun(result)).toBe('stored');
  }
  return store;
}

/** Every page of a filter, following `next` until there is none. */
async function allPages(
  finder: RunFinder,
  filter: RunFilter,
  limit: number,
): Promise<{ runs: RunSummary[]; pages: { count: number; scanned: number; partial: boolean }[] }> {
  const runs: RunSummary[] = [];
  const pages: { count: number; scanned: number; partial: boolean }[] = [];
  let cursor: RunsCursor | undefined;
  for (let page = 0; page < 500; page++) {
    const found = await finder.find(filter, { limit, ...(cursor ? { cursor } : {}) });
    runs.push(...found.runs);
    pages.push({ count: found.runs.length, scanned: found.scanned, partial: found.partial });
    cursor = found.next;
    if (!cursor) return { runs, pages };
  }
  throw new Error('paging did not end after 500 pages');
}

const ids = (runs: readonly { runId: string }[]) => runs.map((r) => r.runId);

describe('RunFinder on 300 stored runs', () => {
  const PROBES = ['deposit-voicemail', 'retrieve-voicemail'] as const;
  const results: RunResult[] = [];
  for (let n = 0; n < 300; n++) {
    // A few lost and slow runs, and a rare instance, spread over the 300.
    const shape =
      n % 60 === 13
        ? { silent: ['notifier'] }
        : n % 75 === 40
          ? { hops: { recorder: { workMs: 260 } } }
          : n % 50 === 7
            ? { hops: { recorder: { instance: 'recorder-9' } } }
            : {};
    const result = resultAt({ runId: `run-${String(n).padStart(3, '0')}`, firedAtMs: NOW - 600_000 + n * 1000 }, shape);
    // Runs 100..199 are of the second probe.
    results.push({ ...result, run: { ...result.run, probe: PROBES[Math.floor(n / 100) % 2]! } });
  }
  const byNewest = [...results].sort((a, b) => b.run.firedAtMs - a.run.firedAtMs);
  const expectedIds = (predicate: (r: RunResult) => boolean) => ids(byNewest.filter(predicate).map((r) => r.run));
  let store: RunStore;

  beforeAll(async () => {
    store = await storeWith(results);
  }, 60_000);

  it('a rare filter over a bounded scan gives a partial first page with a cursor, and paging on finds each match once', async () => {
    const filter: RunFilter = { verdicts: ['slow', 'lost'] };
    const matching = expectedIds((r) => r.verdict === 'slow' || r.verdict === 'lost');
    expect(matching).toHaveLength(9);

    const finder = new RunFinder(store, 50);
    const first = await finder.find(filter, { limit: 10 });
    expect(first.partial).toBe(true);
    expect(first.scanned).toBe(50);
    expect(first.next).toBeDefined();
    expect(first.runs.length).toBeLessThan(10);
    // The newest 50 runs hold these matches, and the cursor is the 50th newest run.
    expect(ids(first.runs)).toEqual(matching.filter((id) => Number(id.slice(4)) >= 250));
    expect(first.next).toEqual({ firedAtMs: byNewest[49]!.run.firedAtMs, runId: byNewest[49]!.run.runId });

    const { runs, pages } = await allPages(finder, filter, 10);
    expect(ids(runs)).toEqual(matching);
    for (const page of pages) expect(page.scanned).toBeLessThanOrEqual(50);
    expect(pages.reduce((n, p) => n + p.scanned, 0)).toBe(300);
    expect(pages.slice(0, -1).every((p) => p.partial)).toBe(true);
  });

  it('without a bound, the same filter is one full page', async () => {
    const found = await new RunFinder(store).find({ verdicts: ['slow', 'lost'] }, { limit: 1000 });
    expect(found).toMatchObject({ scanned: 300, partial: false });
    expect(found.next).toBeUndefined();
    expect(ids(found.runs)).toEqual(expectedIds((r) => r.verdict === 'slow' || r.verdict === 'lost'));
  });

  it('a full page ends with a cursor on its last run, and is not partial', async () => {
    const found = await new RunFinder(store, 50).find({}, { limit: 20 });
    expect(found).toMatchObject({ scanned: 20, partial: false });
    expect(ids(found.runs)).toEqual(ids(byNewest.slice(0, 20).map((r) => r.run)));
    expect(found.next).toEqual({ firedAtMs: byNewest[19]!.run.firedAtMs, runId: byNewest[19]!.run.runId });
  });

  it('walks the smallest index: an instance filter scans only the runs through that instance', async () => {
    const finder = new RunFinder(store);
    const filter: RunFilter = { probe: 'deposit-voicemail', instance: 'recorder-9' };
    const found = await finder.find(filter, { limit: 100 });
    const throughInstance = results.filter((r) => r.hops.some((h) => h.instance === 'recorder-9'));
    expect(throughInstance).toHaveLength(6);
    // The instance index (6 runs), not the probe's (200 runs).
    expect(found.scanned).toBe(6);
    expect(ids(found.runs)).toEqual(['run-257', 'run-207', 'run-057', 'run-007']);
  });

  it('walks the smallest index: one verdict scans that verdict, a probe with fault verdicts its faults', async () => {
    const finder = new RunFinder(store);
    const lost = await finder.find({ probe: 'deposit-voicemail', verdicts: ['lost'] }, { limit: 100 });
    // The lost runs of every probe (5), not the probe's runs (200).
    expect(lost.scanned).toBe(5);
    expect(ids(lost.runs)).toEqual(expectedIds((r) => r.run.probe === 'deposit-voicemail' && r.verdict === 'lost'));

    const faults = await finder.find({ probe: 'retrieve-voicemail', verdicts: ['slow', 'lost'] }, { limit: 100 });
    const retrieveFaults = expectedIds((r) => r.run.probe === 'retrieve-voicemail' && r.verdict !== 'ok');
    expect(retrieveFaults).toHaveLength(4);
    // The probe's faults (4 runs), not its runs (100).
    expect(faults.scanned).toBe(4);
    expect(ids(faults.runs)).toEqual(retrieveFaults);
  });

  it('a time range walks only the runs in it', async () => {
    const fromMs = NOW - 600_000 + 100_000;
    const toMs = NOW - 600_000 + 149_000;
    const found = await new RunFinder(store).find({ fromMs, toMs }, { limit: 1000 });
    expect(found.scanned).toBe(50);
    expect(ids(found.runs)).toEqual(expectedIds((r) => r.run.firedAtMs >= fromMs && r.run.firedAtMs <= toMs));
  });
});

describe('RunFinder on runs fired in the same millisecond', () => {
  const T = NOW - 100_000;
  // Ids that sort differently by case and by `-` (0x2d) and `_` (0x5f): Redis orders ties by bytes.
  const TIES = ['tie--', 'tie-A', 'tie-_', 'tie_a', 'Tie-1', 'tie-0', 'tie-a', 'tie_B', 'tie-', 'a'];
  const runsAt: [number, string][] = [
    [T + 1, 'after-1'],
    ...TIES.map((id): [number, string] => [T, id]),
    [T - 1, 'before-2'],
    [T - 1, 'before-1'],
  ];
  /** Newest first; in one millisecond, the greatest id (by bytes) first, as Redis orders them. */
  const expected = [...runsAt].sort(([ta, a], [tb, b]) => tb - ta || (a < b ? 1 : a > b ? -1 : 0)).map(([, id]) => id);
  let store: RunStore;

  beforeAll(async () => {
    store = await storeWith(runsAt.map(([firedAtMs, runId]) => resultAt({ runId, firedAtMs })));
  });

  it('the order is newest first, then by id, greatest first', async () => {
    const found = await new RunFinder(store).find({}, { limit: 100 });
    expect(ids(found.runs)).toEqual(expected);
    expect(found.next).toBeUndefined();
  });

  for (const limit of [1, 2, 3]) {
    it(`pages of ${limit} neither skip nor repeat a run across a page boundary inside one millisecond`, async () => {
      const { runs } = await allPages(new RunFinder(store), {}, limit);
      expect(ids(runs)).toEqual(expected);
    });

    it(`pages of ${limit} with a scan bound of 2 still find every run once, in order`, async () => {
      const { runs, pages } = await allPages(new RunFinder(store, 2), { probe: 'deposit-voicemail' }, limit);
      expect(ids(runs)).toEqual(expected);
      for (const page of pages) expect(page.scanned).toBeLessThanOrEqual(2);
    });
  }

  it('within a time range that starts and ends inside tied milliseconds', async () => {
    const { runs } = await allPages(new RunFinder(store), { fromMs: T, toMs: T }, 2);
    expect(ids(runs)).toEqual(TIES.slice().sort().reverse());
  });

  it('a cursor past `to` (the range changed) starts at `to`', async () => {
    const finder = new RunFinder(store);
    const filter: RunFilter = { toMs: T };
    const fresh = await finder.find(filter, { limit: 4 });
    const past = await finder.find(filter, { limit: 4, cursor: { firedAtMs: T + 60_000, runId: 'zzzz' } });
    expect(ids(past.runs)).toEqual(ids(fresh.runs));
    expect(ids(past.runs)).toEqual(expected.filter((id) => id !== 'after-1').slice(0, 4));
    expect(past.next).toEqual(fresh.next);
    // Paging on from there reaches the end of the range, each run once.
    const rest: string[] = [];
    let cursor = past.next;
    while (cursor) {
      const page = await finder.find(filter, { limit: 4, cursor });
      rest.push(...ids(page.runs));
      cursor = page.next;
    }
    expect([...ids(past.runs), ...rest]).toEqual(expected.filter((id) => id !== 'after-1'));
  });

  it('a cursor before `from` (the range changed) has nothing after it, not even runs of its own millisecond', async () => {
    const found = await new RunFinder(store).find(
      { fromMs: T + 1 },
      { limit: 10, cursor: { firedAtMs: T, runId: 'zzzz' } },
    );
    expect(found).toEqual({ runs: [], scanned: 0, partial: false });
  });

  it('a cursor on the last run of the index gives an empty page and no cursor', async () => {
    const last = expected.at(-1)!;
    const found = await new RunFinder(store).find({}, { limit: 5, cursor: { firedAtMs: T - 1, runId: last } });
    expect(found).toEqual({ runs: [], scanned: 0, partial: false });
  });
});
