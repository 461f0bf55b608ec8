import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorSchema } from '@hoptrace/core/api';
import { parseProbeConfig } from '../../src/config/load-probe-config';
import { Oamserver } from '../../src/oamserver';
import { RunStore } from '../../src/store/run-store';
import { resultAt } from '../support/scenarios';
import { fuzzParams, fuzzTimeoutMs } from '../../../../test/support/fuzz';

// The HTTP API meets whoever can reach it: arbitrary paths, query strings, methods and bodies get
// a 2xx or a 4xx in the API's error shape (`{ error, code, field? }`), never a 500, never a hang;
// and what is stored is still there, unchanged, afterwards.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'http-api-fuzz-secret-0123456789abcdef';
const PROBE = 'fuzz-probe';
const SEEDED = ['seed-ok', 'seed-lost', 'seed-slow'];
/** Answered within this, or the request counts as a hang. */
const ANSWER_WITHIN_MS = 5000;

/** The query parameters each route reads. */
const ROUTE_KEYS: Record<string, string[]> = {
  '/api/runs': ['probe', 'verdict', 'service', 'instance', 'from', 'to', 'cursor', 'limit', 'view'],
  '/api/incidents': ['state', 'limit'],
  '/api/overview': ['window', 'cells'],
  '/api/map': ['window', 'probe'],
  '/api/stats': ['window'],
};
/** Query parameters the API reads, so arbitrary values reach its parsers, not only its defaults. */
const KNOWN_KEYS = [...new Set(Object.values(ROUTE_KEYS).flat())];
/** GET routes (`/api/events` streams forever: left out). `:id` is filled with a seeded run, an arbitrary segment or both. */
const ROUTES = [
  '/api/runs',
  '/api/runs/:id',
  '/api/incidents',
  '/api/incidents/:id',
  '/api/overview',
  '/api/map',
  '/api/stats',
  '/api/probes',
  '/api/meta',
  '/api/alerts',
  '/api/:id',
  '/api/:id/:id',
  '/healthz',
  '/readyz',
  '/metrics',
];

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** Text as a client may send it: unicode, control characters, `%` escapes good and broken, delimiters. */
const hostile = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('%', '2', 'e', 'E', '0', '[', ']', '&', '=', '.', ',', '+', '#', '?', '/', ' ', '\\'),
    maxLength: 12,
  }),
  fc.constantFrom(...PROTOTYPE_NAMES, '', '0', '-1', '1e3', '99999', 'NaN'),
  fc.constantFrom(...SEEDED),
  fc.constantFrom('ok,lost', 'summary', '1h', '15m', '2026-12-04T15:02:00Z', '1.seed-ok', '9999999999999999'),
);
/** A query-string part: encoded the way a browser would, or raw. */
const part = fc.tuple(hostile, fc.boolean()).map(([text, raw]) => (raw ? text : encodeURIComponent(text)));
const queryString = fc
  .array(
    fc.oneof(
      fc.tuple(part, part),
      fc.tuple(fc.constantFrom(...KNOWN_KEYS), part),
      // Names every object has: a lookup with `in` or `obj[key]` finds them.
      fc.tuple(fc.constantFrom(...KNOWN_KEYS), fc.constantFrom(...PROTOTYPE_NAMES)),
      // Bracketed keys (`a[b]`, `a[]`) that an extended parser would turn into objects and arrays.
      fc.tuple(
        fc.constantFrom(...KNOWN_KEYS).map((k) => `${k}[]`),
        part,
      ),
      fc.tuple(
        fc.constantFrom(...KNOWN_KEYS).map((k) => `${k}[x]`),
        part,
      ),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
const path = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    fc.array(fc.oneof(part, fc.constantFrom(...SEEDED)), { minLength: 2, maxLength: 2 }),
  )
  .map(([route, [a, b]]) => route.replace(':id', a!).replace(':id', b!));

/** Bodies for the POST route, and a content type to send each with. */
const body = fc.oneof(
  fc.json(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('{', '[', '{"a":', 'null', '"x"', '1', '{"__proto__":{"x":1}}', '['.repeat(5000), 'x'.repeat(20_000)),
  fc.jsonValue().map((v) => JSON.stringify({ wait: true, probe: PROBE, value: v })),
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/*+json',
);

describe('the HTTP API: fuzzing', () => {
  const prefix = `hoptrace-apifuzz-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let trigger: Server;
  let server: Oamserver;
  let base: string;
  const before = new Map<string, string>();
  let requests = 0;

  beforeAll(async () => {
    trigger = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => trigger.listen(0, '127.0.0.1', resolve));
    const triggerUrl = `http://127.0.0.1:${(trigger.address() as AddressInfo).port}/`;
    const config = await parseProbeConfig(`
storage: { keyPrefix: "${prefix}" }
incidents: { openAfter: 1, resolveAfter: 3 }
probes:
  - { name: ${PROBE}, every: 1h, timeout: 1s, trigger: { http: { url: "${triggerUrl}" } }, path: [gateway, mailbox, recorder, storage, notifier] }
`);
    const store = new RunStore(redis, { keyPrefix: prefix });
    const now = Date.now();
    const results = [
      resultAt({ runId: SEEDED[0]!, firedAtMs: now - 30_000 }),
      resultAt({ runId: SEEDED[1]!, firedAtMs: now - 20_000 }, { silent: ['notifier'] }),
      resultAt({ runId: SEEDED[2]!, firedAtMs: now - 10_000 }, { hops: { recorder: { workMs: 900 } } }),
    ].map((r) => ({ ...r, run: { ...r.run, probe: PROBE } }));
    for (const result of results) {
      await store.createRun(result.run);
      expect(await store.finishRun(result)).toBe('stored');
    }
    server = new Oamserver({
      config,
      secret: SECRET,
      redisUrl: REDIS_URL,
      host: '127.0.0.1',
      port: 0,
      schedule: false,
    });
    await server.start();
    base = server.url;
    for (const result of results) await server.incidents.handle(result);
    // One run fired and classified, so that the rolling stats and the timeline have series.
    expect((await fetch(`${base}/api/probes/${PROBE}/runs?wait=1`, { method: 'POST' })).status).toBe(200);
    for (const id of SEEDED) before.set(id, await (await fetch(`${base}/api/runs/${id}`)).text());
    before.set('incidents', await (await fetch(`${base}/api/incidents?state=all`)).text());
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => trigger?.close(resolve));
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  });

  /** Sends a request; checks the answer is a 2xx, 3xx or 4xx (in the API's shape under /api), in time. */
  async function expectAnswered(method: string, target: string, init: { body?: string; type?: string } = {}) {
    requests++;
    const url = `${base}${target}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        body: init.body,
        headers: init.type === undefined ? {} : { 'content-type': init.type },
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
        redirect: 'manual',
      });
    } catch (error) {
      throw new Error(`${method} ${target}: no answer (${String(error)})`, { cause: error });
    }
    const text = await res.text();
    expect(res.status, `${method} ${target} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
    const underApi = new URL(url).pathname.startsWith('/api');
    if (res.status >= 400 && underApi) {
      const parsed = apiErrorSchema.safeParse(JSON.parse(text));
      expect(parsed.success, `${method} ${target}: ${text.slice(0, 300)}`).toBe(true);
    }
    return res;
  }

  it(
    'GET with arbitrary paths and query strings: 2xx or 4xx in the API shape, never a 500 or a hang',
    async () => {
      await fc.assert(
        fc.asyncProperty(path, queryString, async (target, query) => {
          await expectAnswered('GET', query === '' ? target : `${target}?${query}`);
        }),
        fuzzParams(100),
      );
    },
    fuzzTimeoutMs(60_000),
  );

  it(
    'arbitrary bodies, content types and methods: 2xx or 4xx, never a 500',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
          fc.oneof(
            part.map((name) => `/api/probes/${name}/runs`),
            path,
            fc.constant(`/api/probes/${PROBE}/runs`),
          ),
          body,
          contentType,
          async (method, target, payload, type) => {
            await expectAnswered(method, target, { body: payload, type });
          },
        ),
        fuzzParams(100),
      );
    },
    fuzzTimeoutMs(60_000),
  );

  it(
    'each route with its own query parameters set to arbitrary values: 2xx or 4xx, never a 500',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...Object.entries(ROUTE_KEYS)).chain(([route, keys]) =>
            fc
              .array(fc.tuple(fc.constantFrom(...keys), fc.oneof(part, fc.constantFrom(...PROTOTYPE_NAMES))), {
                minLength: 1,
                maxLength: 4,
              })
              .map((pairs) => `${route}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
          ),
          async (target) => {
            await expectAnswered('GET', target);
          },
        ),
        fuzzParams(100),
      );
    },
    fuzzTimeoutMs(60_000),
  );

  it('names of Object.prototype are not stats windows (a regression found by fuzzing: a 500)', async () => {
    for (const window of PROTOTYPE_NAMES) {
      const res = await expectAnswered('GET', `/api/stats?window=${window}`);
      expect(res.status).toBe(400);
    }
  });

  it('what is stored is still there and reads back unchanged after the fuzzing', async () => {
    expect(requests).toBeGreaterThan(0);
    for (const id of SEEDED) expect(await (await fetch(`${base}/api/runs/${id}`)).text()).toBe(before.get(id));
    // Firing the probe (POST) may open incidents of its own; the seeded ones are all still there.
    const incidents = JSON.parse(before.get('incidents')!) as { incidents: { id: string }[] };
    expect(incidents.incidents.length).toBeGreaterThan(0);
    for (const { id } of incidents.incidents) {
      expect((await fetch(`${base}/api/incidents/${encodeURIComponent(id)}`)).status).toBe(200);
    }
  });
});
