import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { cliEnv, runCli, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

const TOKEN = 'locked-api-test-token-0123456789';

/** Every /api/ route, with a method. */
const API_ROUTES: [method: string, path: string][] = [
  ['GET', '/api/probes'],
  ['GET', '/api/meta'],
  ['GET', '/api/overview'],
  ['GET', '/api/map'],
  ['GET', '/api/runs'],
  ['GET', '/api/runs/nope'],
  ['GET', '/api/incidents'],
  ['GET', '/api/incidents/nope'],
  ['GET', '/api/stats'],
  ['GET', '/api/alerts'],
  ['GET', '/api/events'],
  ['POST', '/api/probes/locked/runs'],
  ['GET', '/api/no-such-route'],
];

/** One request; the body read (or the stream cancelled) so nothing stays open. */
async function call(url: string, method: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, headers });
  const type = res.headers.get('content-type') ?? '';
  const body: unknown = type.includes('application/json') ? await res.json() : await res.body?.cancel();
  return { status: res.status, headers: res.headers, body };
}

/**
 * `POST /api/session {"token"}` sent from `localAddress` (any 127.x.y.z reaches the Oamserver on
 * 127.0.0.1 and counts as another client address).
 */
function signIn(
  url: string,
  token: string,
  localAddress = '127.0.0.1',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }> {
  const body = JSON.stringify({ token });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/session`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function configYaml(prefix: string, server = '') {
  return writeConfig(`
${server}
storage: { keyPrefix: "${prefix}" }
probes:
  - name: locked
    enabled: false
    timeout: 2s
    trigger: { http: { url: "http://127.0.0.1:9/work" } }
    path: [solo]
`);
}

// An Oamserver started with HOPTRACE_API_TOKEN: /api/ needs the token (Bearer or the session
// cookie), the probes for orchestrators and the dashboard's files do not.
describe('an Oamserver with HOPTRACE_API_TOKEN', () => {
  const prefix = uniquePrefix('locked');
  let redis: Redis;
  let server: RunningOamserver;
  let metricsLocked: RunningOamserver;

  beforeAll(async () => {
    redis = testRedis();
    [server, metricsLocked] = await Promise.all([
      startOamserver(configYaml(prefix), cliEnv({ HOPTRACE_API_TOKEN: TOKEN })),
      startOamserver(configYaml(prefix, 'server: { metricsAuth: true }'), cliEnv({ HOPTRACE_API_TOKEN: TOKEN })),
    ]);
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), metricsLocked?.stop()]);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('says at start that the API is locked', () => {
    expect(server.output()).toContain('API locked');
  });

  it.each(API_ROUTES)('%s %s refuses a request without a token (401)', async (method, path) => {
    const res = await call(`${server.url}${path}`, method);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="hoptrace"');
    expect(res.body).toMatchObject({ code: 'HOPTRACE_API_UNAUTHORIZED' });
  });

  it.each(API_ROUTES)('%s %s refuses a wrong token (401)', async (method, path) => {
    const wrong = await call(`${server.url}${path}`, method, { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer realm="hoptrace"/);
    expect(wrong.body).toMatchObject({ code: 'HOPTRACE_API_UNAUTHORIZED' });
    const cookie = await call(`${server.url}${path}`, method, { cookie: 'hoptrace_token=forged' });
    expect(cookie.status).toBe(401);
  });

  it.each(API_ROUTES)('%s %s accepts the right token', async (method, path) => {
    const res = await call(`${server.url}${path}`, method, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).not.toBe(401);
    expect(res.status).toBeLessThan(500);
  });

  it('answers the right token with the data', async () => {
    const res = await call(`${server.url}/api/meta`, 'GET', { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('locked');
  });

  it('leaves /healthz, /readyz, the dashboard and (by default) /metrics open', async () => {
    expect((await call(`${server.url}/healthz`, 'GET')).status).toBe(200);
    expect((await call(`${server.url}/readyz`, 'GET')).status).toBe(200);
    expect((await call(`${server.url}/`, 'GET')).status).toBe(200);
    expect((await call(`${server.url}/runs`, 'GET')).status).toBe(200);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('hoptrace_');
  });

  it('locks /metrics with server.metricsAuth: true', async () => {
    const open = await call(`${metricsLocked.url}/metrics`, 'GET');
    expect(open.status).toBe(401);
    expect(open.headers.get('www-authenticate')).toBe('Bearer realm="hoptrace"');
    expect(open.body).toMatchObject({ code: 'HOPTRACE_API_UNAUTHORIZED' });
    const ok = await fetch(`${metricsLocked.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('hoptrace_');
    expect((await call(`${metricsLocked.url}/healthz`, 'GET')).status).toBe(200);
  });

  it('refuses a wrong token on POST /api/session and sets no cookie', async () => {
    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-the-token-at-all' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toMatchObject({ code: 'HOPTRACE_API_UNAUTHORIZED' });
  });

  it('sets an HttpOnly SameSite=Strict session cookie that opens /api/runs and /api/events', async () => {
    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^hoptrace_token=[^;]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toMatch(/Max-Age|Expires/i);
    // The browser never holds the token itself.
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;

    const runs = await fetch(`${server.url}/api/runs`, { headers: { cookie } });
    expect(runs.status).toBe(200);
    expect(await runs.json()).toHaveProperty('runs');

    const controller = new AbortController();
    const events = await fetch(`${server.url}/api/events`, { headers: { cookie }, signal: controller.signal });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
  });

  it('`hoptrace runs --server` works with HOPTRACE_API_TOKEN and fails clearly without', async () => {
    const ok = await runCli(['runs', '--server', server.url, '--json'], cliEnv({ HOPTRACE_API_TOKEN: TOKEN }));
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveProperty('runs');

    const without = await runCli(['runs', '--server', server.url]);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('needs HOPTRACE_API_TOKEN');

    const wrong = await runCli(['report', '--server', server.url], cliEnv({ HOPTRACE_API_TOKEN: `${TOKEN}-wrong` }));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('refused HOPTRACE_API_TOKEN');
  });
});

// Wrong tokens sent to POST /api/session are limited per client address: 10 a minute, then 429
// until the minute (from the first wrong one) is over, the right token included. Its own Oamserver:
// the limit must not leak into the tests above.
describe('sign-in on a locked Oamserver, limited per address', () => {
  const prefix = uniquePrefix('locked-limit');
  let redis: Redis;
  let server: RunningOamserver;

  beforeAll(async () => {
    redis = testRedis();
    server = await startOamserver(configYaml(prefix), cliEnv({ HOPTRACE_API_TOKEN: TOKEN }));
  });

  afterAll(async () => {
    await server?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('right tokens do not count: many sign-ins in a row all succeed', async () => {
    for (let i = 0; i < 15; i++) {
      const res = await signIn(server.url, TOKEN, '127.0.0.3');
      expect(res.status).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/^hoptrace_token=/);
    }
  });

  it('answers the 11th wrong token within a minute 429 HOPTRACE_TOO_MANY_ATTEMPTS with Retry-After, and the right one too', async () => {
    for (let i = 1; i <= 10; i++) {
      const res = await signIn(server.url, `wrong-token-number-${i}`);
      expect(res.status, `wrong token ${i}`).toBe(401);
      expect(res.body).toMatchObject({ code: 'HOPTRACE_API_UNAUTHORIZED' });
    }
    const limited = await signIn(server.url, 'wrong-token-number-11');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'HOPTRACE_TOO_MANY_ATTEMPTS' });
    expect((limited.body as { error: string }).error).toMatch(/too many wrong API tokens from this address/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['set-cookie']).toBeUndefined();

    // The right token from the same address is refused too, until the window ends: a 200 among
    // the 429s would still tell a guesser it had won.
    const right = await signIn(server.url, TOKEN);
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ code: 'HOPTRACE_TOO_MANY_ATTEMPTS' });
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(retryAfter);
    expect(right.headers['set-cookie']).toBeUndefined();
  });

  it('limits only that address, and only sign-in', async () => {
    const other = await signIn(server.url, TOKEN, '127.0.0.2');
    expect(other.status).toBe(200);
    expect(String(other.headers['set-cookie'])).toMatch(/^hoptrace_token=/);
    const otherWrong = await signIn(server.url, 'wrong-token-elsewhere', '127.0.0.2');
    expect(otherWrong.status).toBe(401);
    // Requests carrying the token go on working from the limited address.
    const meta = await call(`${server.url}/api/meta`, 'GET', { authorization: `Bearer ${TOKEN}` });
    expect(meta.status).toBe(200);
  });
});

describe('hoptrace serve with a bad API token setting', () => {
  const config = configYaml(uniquePrefix('locked-bad'));

  it.each([
    ['a token shorter than 16 characters', { HOPTRACE_API_TOKEN: 'short' }, /HOPTRACE_API_TOKEN: .*at least 16/],
    ['an empty token', { HOPTRACE_API_TOKEN: '   ' }, /HOPTRACE_API_TOKEN is set but the token is empty/],
    [
      'both the token and the file',
      { HOPTRACE_API_TOKEN: TOKEN, HOPTRACE_API_TOKEN_FILE: '/nonexistent' },
      /HOPTRACE_API_TOKEN and HOPTRACE_API_TOKEN_FILE are both set/,
    ],
    ['an unreadable file', { HOPTRACE_API_TOKEN_FILE: '/nonexistent/token' }, /HOPTRACE_API_TOKEN_FILE: cannot read/],
  ])('stops at start with %s (exit 2)', async (_what, env, message) => {
    const { code, stderr } = await runCli(['serve', '--config', config, '--port', '0'], cliEnv(env));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('stops at start with a too-short token in HOPTRACE_API_TOKEN_FILE', async () => {
    const file = `${config}.token`;
    writeFileSync(file, 'tiny\n');
    const { code, stderr } = await runCli(
      ['serve', '--config', config, '--port', '0'],
      cliEnv({ HOPTRACE_API_TOKEN_FILE: file }),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/HOPTRACE_API_TOKEN_FILE: .*at least 16/);
  });
});

describe('hoptrace serve without a token', () => {
  const prefix = uniquePrefix('open');
  let redis: Redis;
  let server: RunningOamserver;

  beforeAll(async () => {
    redis = testRedis();
    server = await startOamserver(configYaml(prefix));
  });

  afterAll(async () => {
    await server?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('says the API is open, on loopback only, and serves it', async () => {
    expect(server.output()).toContain('API open (no HOPTRACE_API_TOKEN), listening on 127.0.0.1 only');
    expect((await fetch(`${server.url}/api/meta`)).status).toBe(200);
  });
});
