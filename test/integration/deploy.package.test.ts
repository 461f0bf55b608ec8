import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// What the Dockerfile's oamserver image holds, made the way it makes it (`pnpm --filter
// @hoptrace/oamserver deploy --prod`, after `pnpm build`), and run the way it runs it: the image
// itself cannot be built on machines without a Docker engine, so its steps are checked here.
describe('the deployable Oamserver package (the Dockerfile oamserver stage)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'hoptrace-deploy-')), 'app');
  const prefix = uniquePrefix('deploy');
  const redis = testRedis();
  let service: RunningService;
  let oamserver: RunningOamserver;

  beforeAll(async () => {
    await run('pnpm', ['--filter', '@hoptrace/oamserver', 'deploy', '--prod', out], { cwd: ROOT, timeout: 180_000 });
    service = await startService('express5-esm', { name: 'solo', env: { HOPTRACE_KEY_PREFIX: prefix } });
    const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: solo-work
    every: 2s
    trigger: { http: { url: ${service.url}/work } }
    path: [solo]
`);
    oamserver = await startOamserver(config, cliEnv(), join(out, 'dist', 'cli', 'main.js'));
  }, 240_000);

  afterAll(async () => {
    await oamserver?.stop();
    await service?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    rmSync(dirname(out), { recursive: true, force: true });
  });

  it('holds the built CLI, its Lua scripts and the dashboard, and no development dependency', () => {
    expect(existsSync(join(out, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(readdirSync(join(out, 'lua')).sort()).toEqual(
      readdirSync(join(ROOT, 'packages', 'oamserver', 'lua')).sort(),
    );
    expect(existsSync(join(out, 'node_modules', '@hoptrace', 'dashboard', 'dist', 'index.html'))).toBe(true);
    for (const dev of ['vitest', 'typescript', 'eslint', 'playwright-core']) {
      expect(existsSync(join(out, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('serves: /healthz, the dashboard at /, and probe runs classified ok from the real service', async () => {
    expect((await fetch(`${oamserver.url}/healthz`)).ok).toBe(true);
    const page = await fetch(`${oamserver.url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<div id="app">');
    const runs = await waitFor(
      async () => {
        const body = (await (await fetch(`${oamserver.url}/api/runs?probe=solo-work`)).json()) as {
          runs: { verdict?: string }[];
        };
        return body.runs.some((r) => r.verdict === 'ok') ? body.runs : undefined;
      },
      { timeoutMs: 30_000, what: 'an ok run of solo-work from the deployed Oamserver' },
    );
    expect(runs.some((r) => r.verdict === 'ok')).toBe(true);
  });

  it('the compose file builds the Dockerfile stages it names, and the Dockerfile runs the deployed CLI', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    const compose = parse(readFileSync(join(ROOT, 'deploy', 'compose.yaml'), 'utf8')) as {
      services: Record<string, { build?: { context: string; target: string } }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['demo', 'jaeger', 'oamserver', 'redis']);
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) expect(stages, name).toContain(service.build.target);
    }
    expect(stages).toContain('oamserver');
    expect(dockerfile).toContain('pnpm --filter @hoptrace/oamserver deploy --prod /out');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/dist/cli/main.js"]');
  });
});
