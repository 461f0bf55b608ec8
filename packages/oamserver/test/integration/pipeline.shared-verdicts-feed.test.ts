import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisKeys } from '@hoptrace/core';
import type { RunSummary } from '@hoptrace/core/api';
import { SharedVerdictFeed } from '../../src/pipeline/shared-verdicts';
import { createOamBlockingRedis } from '../../src/store/redis-client';
import { RunStore } from '../../src/store/run-store';
import { summarizeResult } from '../../src/store/run-summary';
import { resultAt } from '../support/scenarios';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Polls `check` until it holds, or fails after 10 s. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let n = 0;
/** A classified run of its own, as the collector stores it. */
function newResult() {
  n++;
  return resultAt({ runId: `0mxcy9v0d-${randomBytes(6).toString('hex')}`, firedAtMs: Date.now() - 10_000 + n });
}

// The feed of other Oamservers' verdicts, on a real Redis: what RunStore.finishRun adds to the
// verdicts stream, read by a SharedVerdictFeed the way an Oamserver reads it.
describe('the verdicts stream and its feed', () => {
  const admin = new Redis(REDIS_URL);
  const prefixes: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const newPrefix = (): string => {
    const prefix = `hoptrace-feed-${randomBytes(4).toString('hex')}:`;
    prefixes.push(prefix);
    return prefix;
  };
  const newStore = (prefix: string, owner: string, warn?: (message: string) => void): RunStore => {
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => Promise.resolve(redis.disconnect()));
    return new RunStore(redis, { keyPrefix: prefix, owner, warn });
  };
  const newFeed = (prefix: string, owner: string, url = REDIS_URL) => {
    const consumed: RunSummary[] = [];
    const warnings: string[] = [];
    const redis = createOamBlockingRedis(url, { blockMs: 200 });
    const feed = new SharedVerdictFeed({
      redis,
      keys: createRedisKeys(prefix),
      owner,
      consume: (summary) => consumed.push(summary),
      warn: (message) => warnings.push(message),
      blockMs: 200,
      retryMs: 20,
      maxRetryMs: 100,
    });
    cleanups.push(() => feed.stop());
    return { feed, consumed, warnings, redis };
  };

  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await admin.del(...keys);
      } while (cursor !== '0');
    }
    admin.disconnect();
  });

  it('a stored verdict is added once, with the owner that stored it and its summary', async () => {
    const prefix = newPrefix();
    const store = newStore(prefix, 'oam-a');
    const other = newStore(prefix, 'oam-b');
    const result = newResult();
    await store.createRun(result.run);
    expect(await store.finishRun(result)).toBe('stored');
    expect(await other.finishRun({ ...result, verdict: 'lost' })).toBe('already-done');
    const entries = await admin.xrange(`${prefix}verdicts`, '-', '+');
    expect(entries).toHaveLength(1);
    const [, fields] = entries[0]!;
    expect(fields).toEqual(['owner', 'oam-a', 'summary', JSON.stringify(summarizeResult(result))]);
  });

  it('a verdict is stored even when the stream cannot take it: counted, said once', async () => {
    const prefix = newPrefix();
    const warnings: string[] = [];
    const store = newStore(prefix, 'oam-a', (message) => warnings.push(message));
    // Not a stream: every XADD fails with WRONGTYPE.
    await admin.set(`${prefix}verdicts`, 'not a stream');
    for (const result of [newResult(), newResult()]) {
      await store.createRun(result.run);
      expect(await store.finishRun(result)).toBe('stored');
      expect(await admin.hget(store.keys.run(result.run.runId), 'state')).toBe('done');
    }
    expect(store.unsharedVerdicts).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^verdict not shared with the other Oamservers \(WRONGTYPE .*\): .*; 1 so far$/);
  });

  it("hands on other Oamservers' verdicts in order; skips its own, corrupt entries and what came before seek", async () => {
    const prefix = newPrefix();
    const key = `${prefix}verdicts`;
    const mine = newStore(prefix, 'me');
    const peer = newStore(prefix, 'peer');
    const store = async (s: RunStore) => {
      const result = newResult();
      await s.createRun(result.run);
      expect(await s.finishRun(result)).toBe('stored');
      return summarizeResult(result);
    };
    const before = await store(peer);
    const { feed, consumed, warnings } = newFeed(prefix, 'me');
    expect(await feed.seek()).toBe(true);
    feed.start();
    const expected: string[] = [];
    expected.push((await store(peer)).runId);
    await store(mine);
    await admin.xadd(key, '*', 'owner', 'peer', 'summary', '{"runId":');
    await admin.xadd(key, '*', 'summary', JSON.stringify(before));
    await admin.xadd(key, '*', 'owner', 'peer', 'summary', JSON.stringify({ ...before, verdict: 'fine' }));
    expected.push((await store(peer)).runId);
    await store(mine);
    expected.push((await store(peer)).runId);
    await waitFor(() => {
      const c = feed.counts();
      return c.peers + c.own + c.corrupt === 8;
    }, 'the feed to read every entry');
    expect(consumed.map((s) => s.runId)).toEqual(expected);
    expect(consumed.map((s) => s.runId)).not.toContain(before.runId);
    expect(feed.counts()).toEqual({ peers: 3, own: 2, corrupt: 3, readFailures: 0 });
    expect(feed.stored.counts()).toEqual({ 'verdicts stream entry': 3 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^corrupt verdicts stream entry in storage/);
  });

  it('starts at the beginning of a stream that did not exist at seek', async () => {
    const prefix = newPrefix();
    const peer = newStore(prefix, 'peer');
    const { feed, consumed } = newFeed(prefix, 'me');
    await feed.seek();
    feed.start();
    const result = newResult();
    await peer.createRun(result.run);
    await peer.finishRun(result);
    await waitFor(() => consumed.length === 1, "the peer's verdict");
    expect(consumed[0]).toEqual(summarizeResult(result));
  });

  it('with Redis unreachable, retries without throwing, and stops cleanly', async () => {
    const prefix = newPrefix();
    // Nothing listens on port 1.
    const { feed, warnings } = newFeed(prefix, 'me', 'redis://127.0.0.1:1');
    expect(await feed.seek()).toBe(false);
    feed.start();
    await waitFor(() => feed.counts().readFailures >= 2, 'failed reads, retried');
    await feed.stop();
    await feed.stop();
    expect(warnings.filter((w) => w.startsWith('verdicts stream unavailable'))).toHaveLength(1);
  });

  it('stops while a read is blocked waiting for entries', async () => {
    const prefix = newPrefix();
    const { feed, redis } = newFeed(prefix, 'me');
    const id = String(await redis.client('ID'));
    const connection = async () => String(await admin.client('LIST', 'ID', id));
    await feed.seek();
    feed.start();
    // The loop is blocked in XREAD (nothing comes); stop() must end it, not wait for Redis.
    await waitFor(async () => (await connection()).includes('cmd=xread'), 'the feed to block in XREAD');
    await feed.stop();
    await waitFor(async () => (await connection()).trim() === '', 'the feed connection to close');
  });
});
