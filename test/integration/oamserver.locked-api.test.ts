import { writeFileSync } from 'node:fs';
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
