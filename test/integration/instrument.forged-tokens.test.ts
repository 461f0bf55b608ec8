import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import { waitForHops } from '../support/hops';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, keysUnder, testRedis, uniquePrefix } from '../support/redis';
import { serviceStats, startService, type RunningService } from '../support/services';

/** Replaces the character at `index` with another base64url character. */
function flip(text: string, index: number): string {
  const c = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + c + text.slice(index + 1);
}

// Anything but a valid token, signed with our key, for this trace, not expired, is ordinary traffic.
describe('forged, expired, tampered and oversized probe markers are ordinary traffic', () => {
  const prefix = uniquePrefix('forged');
  let redis: Redis;
  let service: RunningService;

  beforeAll(async () => {
    redis = testRedis();
    service = await startService('express5-esm', { name: 'guarded', env: { HOPTRACE_KEY_PREFIX: prefix } });
  });

  afterAll(async () => {
    await service?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  function withToken(traceId: string, token: string): Record<string, string> {
    return { traceparent: `00-${traceId}-${'1'.repeat(16)}-01`, baggage: `${PROBE_BAGGAGE_KEY}=${token}` };
  }

  const cases: [string, () => Record<string, string>][] = [
    ['signed with another secret', () => probeRequest({ secret: 'someone-elses-secret-0123456789' }).headers],
    ['expired two minutes ago', () => probeRequest({ expiresAtMs: Date.now() - 120_000 }).headers],
    [
      'tampered run id',
      () => {
        const p = probeRequest();
        const parts = p.token.split('.');
        parts[3] = flip(parts[3]!, 0);
        return withToken(p.traceId, parts.join('.'));
      },
    ],
    [
      'tampered signature',
      () => {
        const p = probeRequest();
        return withToken(p.traceId, flip(p.token, p.token.length - 5));
      },
    ],
    [
      'tampered expiry (extended)',
      () => {
        const p = probeRequest({ expiresAtMs: Date.now() - 120_000 });
        const parts = p.token.split('.');
        parts[4] = String(Date.now() + 3_600_000);
        return withToken(p.traceId, parts.join('.'));
      },
    ],
    ['valid token replayed on another trace', () => withToken('ab'.repeat(16), probeRequest().token)],
    ['unsigned marker', () => withToken('cd'.repeat(16), 'yes')],
    ['oversized token (300 characters)', () => withToken('ef'.repeat(16), `v1.k0.p.${'r'.repeat(292)}`)],
    [
      'oversized baggage header (7 KB of members plus a forged token)',
      () => {
        const p = probeRequest({ secret: 'someone-elses-secret-0123456789' });
        const filler = Array.from({ length: 60 }, (_, i) => `junk${i}=${'x'.repeat(100)}`).join(',');
        return { ...p.headers, baggage: `${filler},${p.headers.baggage}` };
      },
    ],
  ];

  it.each(cases)('%s: answered normally, no hop record', async (_label, headers) => {
    const before = await keysUnder(redis, prefix);
    const res = await fetch(`${service.url}/work`, { headers: headers() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, probe: null });
    await new Promise((r) => setTimeout(r, 400));
    expect(await keysUnder(redis, prefix)).toEqual(before);
  });

  it('counts the refusals, and still accepts a valid token afterwards', async () => {
    const stats = await serviceStats(service);
    const refused = Object.values(stats.rejectedTokens).reduce((a, b) => a + b, 0);
    expect(refused).toBeGreaterThanOrEqual(cases.length);
    expect(stats.rejectedTokens['bad-signature']).toBeGreaterThan(0);
    expect(stats.rejectedTokens.expired).toBeGreaterThan(0);
    expect(stats.rejectedTokens.oversized).toBeGreaterThan(0);
    expect(stats.written).toBe(0);

    const probe = probeRequest();
    await (await fetch(`${service.url}/work`, { headers: probe.headers })).arrayBuffer();
    expect(await waitForHops(redis, prefix, probe.runId, 1)).toHaveLength(1);
  });
});
