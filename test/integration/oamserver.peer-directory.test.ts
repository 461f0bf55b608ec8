import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisKeys, type HopRecord } from '@hoptrace/core';
import { SharedPeerDirectory } from '@hoptrace/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
let span = 0;
const spanId = () => (++span).toString(16).padStart(16, '0');

/** A caller hop that called `peer`, and the hop that answered there (its child). */
function call(caller: string, callee: string, instance: string, peer: string): HopRecord[] {
  const exit = spanId();
  const base = { v: 1 as const, runId: '0mxcs31ag-d69fc9b5156a', probe: 'p', traceId: TRACE, kind: 'server' as const };
  const common = { operation: 'GET /', startUs: 1, durationUs: 10, status: 'ok' as const };
  return [
    {
      ...base,
      ...common,
      spanId: spanId(),
      service: caller,
      instance: `${caller}-1`,
      exits: [{ spanId: exit, atUs: 1, peer }],
    },
    { ...base, ...common, spanId: spanId(), parentSpanId: exit, service: callee, instance },
  ];
}

// The peer directory in a real Redis, as two Oamservers (two directories on one prefix) share it.
describe('the shared peer directory', () => {
  const prefix = uniquePrefix('peers');
  const keys = createRedisKeys(prefix);
  let redis: Redis;

  beforeAll(() => {
    redis = testRedis();
  });

  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('what one Oamserver learns, another reads before it judges a run', async () => {
    const first = new SharedPeerDirectory(redis, keys);
    const second = new SharedPeerDirectory(redis, keys);
    const hops = call('alpha', 'beta', 'beta-2', '10.0.0.2:7002');
    await first.learn(hops);
    expect(second.lookup('10.0.0.2:7002')).toBeUndefined();
    await second.refresh(hops, ['alpha', 'beta']);
    expect(second.lookup('10.0.0.2:7002')).toEqual({ service: 'beta', instance: 'beta-2' });
    expect(second.usualCaller('beta')).toBe('alpha');
    // Both keys expire when nothing new is learned.
    expect(await redis.pttl(keys.peerDirectory())).toBeGreaterThan(6 * 24 * 3_600_000);
    expect(await redis.pttl(keys.peerDirectoryRecency())).toBeGreaterThan(6 * 24 * 3_600_000);
  });

  it('an address two instances take turns at names the service only, for every Oamserver', async () => {
    const first = new SharedPeerDirectory(redis, keys);
    for (const instance of ['lb-1', 'lb-2', 'lb-1']) await first.learn(call('alpha', 'lb', instance, '10.0.0.9:80'));
    const second = new SharedPeerDirectory(redis, keys);
    await second.refresh(call('alpha', 'lb', 'lb-1', '10.0.0.9:80'), []);
    expect(second.lookup('10.0.0.9:80')).toEqual({ service: 'lb', instance: undefined });
  });

  it('ignores what it cannot read back (written by something else), and keeps its own knowledge', async () => {
    const directory = new SharedPeerDirectory(redis, keys);
    await directory.learn(call('alpha', 'beta', 'beta-3', '10.0.0.3:7003'));
    await redis.hset(keys.peerDirectory(), 'addr:10.0.0.3:7003', '{"service":42}', 'callers:beta', 'not json');
    await directory.refresh(call('alpha', 'beta', 'beta-3', '10.0.0.3:7003'), ['beta']);
    expect(directory.lookup('10.0.0.3:7003')).toEqual({ service: 'beta', instance: 'beta-3' });
    expect(directory.usualCaller('beta')).toBe('alpha');
  });

  it('keeps at most maxAddresses addresses, dropping the least recently seen', async () => {
    const bounded = uniquePrefix('peers-bound');
    const boundedKeys = createRedisKeys(bounded);
    try {
      const directory = new SharedPeerDirectory(redis, boundedKeys, { maxAddresses: 3 });
      for (let i = 1; i <= 6; i++) {
        await directory.learn(call('alpha', 'beta', `beta-${i}`, `10.0.1.${i}:80`));
        await new Promise((resolve) => setTimeout(resolve, 2)); // distinct "last seen" times
      }
      // Trimming runs on the first write and then every 100: force one more pass by learning on.
      for (let i = 0; i < 100; i++) await directory.learn(call('alpha', 'beta', 'beta-6', '10.0.1.6:80'));
      const fields = await redis.hkeys(boundedKeys.peerDirectory());
      expect(fields.filter((f) => f.startsWith('addr:')).sort()).toEqual([
        'addr:10.0.1.4:80',
        'addr:10.0.1.5:80',
        'addr:10.0.1.6:80',
      ]);
      expect(await redis.zcard(boundedKeys.peerDirectoryRecency())).toBe(3);
    } finally {
      await deleteKeysUnder(redis, bounded);
    }
  });
});
