import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RunView } from '@hoptrace/oamserver';
import { readHops } from '../support/hops';
import { probeOnce, runCli, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { freePort } from '../support/ports';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

// Trigger plugins (docs/plugins.md), end to end: a plugin written from the docs alone
// (test/fixtures/plugins/line-trigger.mjs) fires probe runs as one line over TCP into a service
// that speaks that line protocol (test/fixtures/express5-esm/line-service.js, which reads the
// run's context with the drop-in's public `runInMessageContext`) and calls an Express backend:
//   hoptrace --line--> line-edge --fetch--> backend
// on the real Redis, services as child processes, judged by `hoptrace probe` and `hoptrace serve`.
// Then every way a plugin can fail, and configs that name plugins that cannot be loaded.

const PLUGINS = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugins');
const plugin = (file: string) => join(PLUGINS, file);
const LINE_PLUGIN = plugin('line-trigger.mjs');

/** Issues as `hoptrace validate --json` prints them. */
interface Issue {
  path: string;
  message: string;
  line?: number;
}

async function validateJson(file: string): Promise<{ code: number | null; valid: boolean; issues: Issue[] }> {
  const { code, stdout } = await runCli(['validate', file, '--json']);
  const report = JSON.parse(stdout) as { valid: boolean; issues?: Issue[] };
  return { code, valid: report.valid, issues: report.issues ?? [] };
}

describe('trigger plugins: a line protocol over TCP', () => {
  const prefix = uniquePrefix('trigger-plugins');
  const env = { HOPTRACE_KEY_PREFIX: prefix };
  let redis: Redis;
  let backend: RunningService;
  let lineEdge: RunningService;
  const services: RunningService[] = [];

  beforeAll(async () => {
    redis = testRedis();
    backend = await startService('express5-esm', { name: 'backend', env });
    lineEdge = await startService('line-service', {
      name: 'line-edge',
      env: { ...env, NEXT_URL: `${backend.url}/work` },
    });
    services.push(backend, lineEdge);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  describe('hoptrace probe', () => {
    let config: string;
    let closedPort: number;

    beforeAll(async () => {
      closedPort = await freePort();
      config = writeConfig(`
plugins:
  - ${LINE_PLUGIN}
storage: { keyPrefix: "${prefix}" }
probes:
  - name: order-by-line
    timeout: 3s
    trigger:
      line: { port: ${lineEdge.port}, command: ORDER }
    path: [line-edge, backend]
  - name: line-nobody-listens
    timeout: 1s
    trigger:
      line: { port: ${closedPort}, command: ORDER }
    path: [line-edge, backend]
  - name: order-then-ship
    timeout: 3s
    steps:
      - name: order
        trigger:
          line: { port: ${lineEdge.port}, command: ORDER }
        path: [line-edge, backend]
      - name: ship
        trigger:
          line: { port: ${lineEdge.port}, command: "SHIP-\${orderId}" }
        path: [line-edge, backend]
`);
    });

    it('fires a run through the line service to the backend: both hops recorded and classified like HTTP ones, ok', async () => {
      const { code, view } = await probeOnce(config, 'order-by-line');
      expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
      expect(code).toBe(0);
      expect(view.fault).toBeUndefined();

      // The trigger outcome is the plugin's result, with the plugin's kind.
      expect(view.trigger).toMatchObject({ kind: 'line', ok: true, delivered: true });
      expect(view.trigger?.detail).toMatch(/^OK order-\d+$/);
      expect(view.trigger?.captured).toEqual({ orderId: view.trigger!.detail!.split(' ')[1] });
      expect(view.trigger?.error).toBeUndefined();

      // The line service's hop (a consumer hop from runInMessageContext), then the backend's.
      expect(view.hops.map((h) => [h.service, h.kind, h.operation, h.status])).toEqual([
        ['line-edge', 'consumer', 'process line', 'ok'],
        ['backend', 'server', 'GET /work', 'ok'],
      ]);
      const [edge, back] = view.hops;
      expect(view.hops.every((h) => h.onTrace && h.expected && h.traceId === view.traceId)).toBe(true);
      // The line service continued the run's trace from the line (its parent is the run's span),
      // and the backend was called by it.
      expect(edge!.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
      expect(back!.callerSpanId).toBe(edge!.spanId);
      expect(back!.httpStatus).toBe(200);
      expect(view.facts).toMatchObject({ hopsSeen: ['line-edge', 'backend'], missingHops: [], extraHops: [] });

      // The hop records are in Redis, one per service, for this run of this probe.
      const stored = await readHops(redis, prefix, view.runId);
      expect(stored.map((h) => h.service).sort()).toEqual(['backend', 'line-edge']);
      expect(stored.every((h) => h.runId === view.runId && h.probe === 'order-by-line')).toBe(true);
      expect(stored.find((h) => h.service === 'line-edge')).toMatchObject({ kind: 'consumer', traceId: view.traceId });
    });

    it('nothing listens where the plugin connects: it returns { delivered: false, error }, trigger-failed with that error', async () => {
      const { code, view } = await probeOnce(config, 'line-nobody-listens');
      expect(view.verdict).toBe('trigger-failed');
      expect(code).toBe(1);
      expect(view.trigger).toMatchObject({
        kind: 'line',
        ok: false,
        delivered: false,
        error: `line 127.0.0.1:${closedPort}: ECONNREFUSED`,
      });
      expect(view.fault).toEqual({ service: 'line-edge', reason: `line 127.0.0.1:${closedPort}: ECONNREFUSED` });
      expect(view.hops).toEqual([]);
    });

    it("a journey of two line steps: the value the first captures is in the second one's line; each step's hops are its own", async () => {
      const { code, view } = await probeOnce(config, 'order-then-ship');
      expect(view.verdict, JSON.stringify(view.fault)).toBe('ok');
      expect(code).toBe(0);
      const steps = view.steps!;
      expect(steps.map((s) => [s.name, s.verdict])).toEqual([
        ['order', 'ok'],
        ['ship', 'ok'],
      ]);
      const orderId = steps[0]!.trigger!.captured!.orderId as string;
      expect(orderId).toMatch(/^order-\d+$/);
      // The line service lower-cases the command it got and adds its count: the command was `SHIP-<orderId>`.
      expect(steps[1]!.trigger!.detail).toMatch(new RegExp(`^OK ship-${orderId}-\\d+$`));
      expect(view.hops.map((h) => [h.step, h.service])).toEqual([
        ['order', 'line-edge'],
        ['order', 'backend'],
        ['ship', 'line-edge'],
        ['ship', 'backend'],
      ]);
    });
  });

  describe('the backend stops', () => {
    let config: string;
    let backend2: RunningService;

    beforeAll(async () => {
      backend2 = await startService('express5-esm', { name: 'backend', env });
      const edge2 = await startService('line-service', {
        name: 'line-edge',
        env: { ...env, NEXT_URL: `${backend2.url}/work` },
      });
      services.push(backend2, edge2);
      config = writeConfig(`
plugins: [${LINE_PLUGIN}]
storage: { keyPrefix: "${prefix}" }
probes:
  - name: order-backend-down
    timeout: 2s
    trigger: { line: { port: ${edge2.port}, command: ORDER } }
    path: [line-edge, backend]
`);
    });

    it('the line service answers ERR and its hop fails: lost at the backend instance it could not reach (not error at line-edge)', async () => {
      // One run while the backend is up: the Oamserver learns who answers at its address.
      const up = await probeOnce(config, 'order-backend-down');
      expect(up.view.verdict, JSON.stringify(up.view.fault)).toBe('ok');
      const backendInstance = up.view.hops.find((h) => h.service === 'backend')!.instance;

      await backend2.stop();
      const { code, view } = await probeOnce(config, 'order-backend-down');
      // The line was delivered and answered, but not as expected.
      expect(view.trigger).toMatchObject({
        kind: 'line',
        delivered: true,
        ok: false,
        detail: 'ERR backend unreachable: ECONNREFUSED',
        error: 'ORDER answered: ERR backend unreachable: ECONNREFUSED',
      });
      // line-edge failed only because its call reached nothing: the run is lost where it stopped
      // (docs/verdicts.md), naming the instance that answered at that address before.
      expect(view.verdict).toBe('lost');
      expect(code).toBe(1);
      expect(view.fault).toMatchObject({ service: 'backend', instance: backendInstance });
      expect(view.fault!.reason).toBe(
        `line-edge (${view.hops[0]!.instance}) called backend at ${backendInstance} (127.0.0.1:${backend2.port}), ` +
          'and nothing answered there (connection refused, ECONNREFUSED)',
      );
      expect(view.hops.map((h) => [h.service, h.status, h.errorMessage])).toEqual([
        ['line-edge', 'error', 'backend unreachable: ECONNREFUSED'],
      ]);
      expect(view.facts).toMatchObject({ missingHops: ['backend'], lastHopReached: 'line-edge' });
    });
  });

  describe('plugins that fail, in one hoptrace serve next to a good probe', () => {
    let server: RunningOamserver;

    /** The probes of the config: each bad plugin's, and what its runs' trigger error must be. */
    const BAD: Record<string, RegExp> = {
      throws: /^the throws plugin failed: the switchboard is on fire$/,
      rejects: /^the rejects plugin failed: connection reset by the far end$/,
      hangs: /^the hangs trigger gave no answer within \d+ ms$/,
      'garbage-yes': /^the garbage plugin returned an invalid result \(delivered: .*expected boolean.*\)$/,
      'garbage-string': /^the garbage plugin returned an invalid result \(the result: .*expected object.*\)$/,
      'garbage-nothing': /^the garbage plugin returned an invalid result \(the result: .*expected object.*\)$/,
      'open-throws': /^the open-throws plugin could not start \(open failed\): no connection pool \(attempt \d+\)$/,
    };

    beforeAll(async () => {
      const bad = (name: string, trigger: string) => `
  - name: ${name}
    every: 1s
    timeout: 1s
    trigger: ${trigger}
    path: [line-edge, backend]`;
      const config = writeConfig(`
plugins:
  - ${LINE_PLUGIN}
  - ${plugin('throws.mjs')}
  - ${plugin('rejects.mjs')}
  - ${plugin('hangs.mjs')}
  - ${plugin('garbage.mjs')}
  - ${plugin('open-throws.mjs')}
storage: { keyPrefix: "${prefix}" }
probes:
  - name: good-line
    every: 1s
    timeout: 3s
    trigger: { line: { port: ${lineEdge.port}, command: ORDER } }
    path: [line-edge, backend]
${bad('throws', '{ throws: {} }')}
${bad('rejects', '{ rejects: {} }')}
${bad('hangs', '{ hangs: {} }')}
${bad('garbage-yes', '{ garbage: { answer: delivered-yes } }')}
${bad('garbage-string', '{ garbage: { answer: string } }')}
${bad('garbage-nothing', '{ garbage: { answer: nothing } }')}
${bad('open-throws', '{ open-throws: {} }')}
`);
      server = await startOamserver(config);
    });

    afterAll(async () => {
      await server?.stop();
    });

    /** The classified runs of a probe, oldest first, from the API. */
    async function doneRuns(probe: string): Promise<RunView[]> {
      const res = await fetch(`${server.url}/api/runs?probe=${probe}&limit=100`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { runs: RunView[] };
      return page.runs.filter((r) => r.state === 'done').reverse();
    }

    it("the good probe keeps being ok while every bad plugin's runs are trigger-failed with the documented message", async () => {
      const runs = await waitFor(
        async () => {
          const all: Record<string, RunView[]> = {};
          for (const name of ['good-line', ...Object.keys(BAD)]) all[name] = await doneRuns(name);
          const enough = all['good-line']!.length >= 3 && Object.keys(BAD).every((name) => all[name]!.length >= 2);
          return enough ? all : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 250, what: '3 classified good runs and 2 of each bad probe' },
      );

      for (const run of runs['good-line']!) {
        expect(run.verdict, JSON.stringify(run.fault)).toBe('ok');
        expect(run.trigger).toMatchObject({ kind: 'line', ok: true });
        expect(run.hops.map((h) => h.service)).toEqual(['line-edge', 'backend']);
      }
      for (const [name, message] of Object.entries(BAD)) {
        for (const run of runs[name]!) {
          expect(run.verdict, `${name}: ${JSON.stringify(run.trigger)}`).toBe('trigger-failed');
          expect(run.trigger?.delivered).toBe(false);
          expect(run.trigger?.kind).toBe(name.startsWith('garbage') ? 'garbage' : name);
          expect(run.trigger?.error).toMatch(message);
          expect(run.fault).toEqual({ service: 'line-edge', reason: run.trigger!.error });
        }
      }

      // A hung plugin is given up at the run's deadline (its message is checked above), and its signal is aborted.
      for (const run of runs.hangs!) {
        await waitFor(() => server.output().includes(`hangs plugin: run ${run.runId}: signal aborted (TimeoutError)`), {
          what: `the hangs plugin's log line for ${run.runId}`,
        });
      }
      // `open` that threw is tried again on the next run (and fire never called): each run says a later attempt.
      const attempts = runs['open-throws']!.map((run) => Number(/attempt (\d+)/.exec(run.trigger!.error!)![1]));
      expect(attempts).toEqual([...attempts].sort((a, b) => a - b));
      expect(new Set(attempts).size).toBe(attempts.length);

      // The Oamserver is still up, and the good probe's newest runs are still ok.
      expect(server.process.exitCode).toBeNull();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const after = await waitFor(
        async () => {
          const good = await doneRuns('good-line');
          return good.length >= runs['good-line']!.length + 1 ? good : undefined;
        },
        { timeoutMs: 15_000, what: 'another classified good run' },
      );
      expect(after.map((run) => run.verdict)).toEqual(after.map(() => 'ok'));
    });

    it('stops cleanly on SIGTERM although a plugin is hanging', async () => {
      await server.stop();
      expect(server.process.exitCode).toBe(0);
    });
  });
});

describe('plugins in the config: hoptrace validate', () => {
  it('a plugin that cannot be loaded is an issue at its place in plugins, naming the module; a probe using its kind is unknown, naming it', async () => {
    const file = writeConfig(`plugins:
  - ${plugin('throws-on-import.mjs')}
  - ${plugin('not-a-plugin.mjs')}
  - ${plugin('no-fire.mjs')}
  - ${LINE_PLUGIN}
  - ${LINE_PLUGIN}
probes:
  - name: order-by-line
    trigger:
      line: { port: 7100, command: ORDER }
    path: [line-edge, backend]
  - name: by-broken-plugin
    trigger:
      no-fire: { port: 7100 }
    path: [line-edge, backend]
`);
    const failed = [plugin('throws-on-import.mjs'), plugin('not-a-plugin.mjs'), plugin('no-fire.mjs')];
    const { code, valid, issues } = await validateJson(file);
    expect(code).toBe(2);
    expect(valid).toBe(false);
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['plugins.0', 2],
      ['plugins.1', 3],
      ['plugins.2', 4],
      ['plugins.4', 6],
      ['probes.1.trigger.no-fire', 14],
    ]);
    expect(issues[0]!.message).toBe(
      `cannot load plugin ${failed[0]}: loading ${failed[0]} failed: missing licence key for the line gateway`,
    );
    expect(issues[1]!.message).toBe(
      `cannot load plugin ${failed[1]}: ${failed[1]} does not export a plugin (docs/plugins.md): its export has no type; ` +
        `the export's type must be "trigger" or "alert-channel"`,
    );
    expect(issues[2]!.message).toBe(
      `cannot load plugin ${failed[2]}: ${failed[2]} does not export a trigger plugin (docs/plugins.md): fire must be a function`,
    );
    expect(issues[3]!.message).toBe(
      `${LINE_PLUGIN} declares the trigger kind "line", which is already declared by ${LINE_PLUGIN}`,
    );
    expect(issues[4]!.message).toBe(
      `unknown trigger kind "no-fire" (known: http, redisStream, rabbitmq, nats, line); ` +
        `plugins that could not be loaded: ${failed.join(', ')}`,
    );

    // The text report says the same, each with its line.
    const text = await runCli(['validate', file]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('5 problem(s)');
    expect(text.stderr).toContain(`line 2: plugins.0: cannot load plugin ${failed[0]}`);
    expect(text.stderr).toContain(`line 14: probes.1.trigger.no-fire: unknown trigger kind "no-fire"`);

    // Neither a probe nor the server runs on it.
    const probe = await runCli(['probe', 'order-by-line', '--config', file]);
    expect(probe.code).toBe(2);
    expect(probe.stderr).toContain(`plugins.0 (line 2): cannot load plugin ${failed[0]}`);
    const serve = await runCli(['serve', '--config', file, '--port', String(await freePort())]);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain(`plugins.1 (line 3): cannot load plugin ${failed[1]}`);
  });

  it('a bad plugin path, bad plugin options and a step using a value no earlier step captures: exit 2, each with its path and line', async () => {
    const file = writeConfig(`plugins:
  - ${LINE_PLUGIN}
  - ./plugins/line-trigger.mjs
probes:
  - name: order-by-line
    trigger:
      line: { port: "x", command: ORDER }
    path: [line-edge, backend]
  - name: order-journey
    steps:
      - name: lookup
        trigger:
          http: { url: "http://127.0.0.1:7001/customers/1", capture: { customer: { json: id } } }
        path: [backend]
      - name: ship
        trigger:
          line: { port: 7100, command: "SHIP-\${orderId}" }
        path: [line-edge, backend]
      - name: order
        trigger:
          line: { port: 7100, command: ORDER }
        path: [line-edge, backend]
`);
    const missing = join(dirname(file), 'plugins', 'line-trigger.mjs');
    const expected: Issue[] = [
      {
        path: 'plugins.1',
        line: 3,
        message: `cannot load plugin ./plugins/line-trigger.mjs: file not found: ${missing}`,
      },
      {
        path: 'probes.0.trigger.line.port',
        line: 7,
        message: 'expected a whole number from 1 to 65535, got string "x"',
      },
      {
        path: 'probes.1.steps.1.trigger.line.command',
        line: 17,
        message: 'uses ${orderId}, which no earlier step captures (captured before this step: customer)',
      },
    ];

    const { code, stdout, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    for (const issue of expected) expect(stderr).toContain(`line ${issue.line}: ${issue.path}: ${issue.message}`);
    expect(stderr).toContain(`has ${expected.length} problem(s)`);

    const json = await validateJson(file);
    expect(json.code).toBe(2);
    expect(json.valid).toBe(false);
    expect(json.issues).toEqual(expected);
  });

  it('each of those problems alone is reported with its path and line', async () => {
    const journey = writeConfig(`plugins: [${LINE_PLUGIN}]
probes:
  - name: order-journey
    steps:
      - name: ship
        trigger:
          line: { port: 7100, command: "SHIP-\${orderId}" }
        path: [line-edge, backend]
      - name: order
        trigger:
          line: { port: 7100, command: ORDER }
        path: [line-edge, backend]
`);
    expect(await validateJson(journey)).toEqual({
      code: 2,
      valid: false,
      issues: [
        {
          path: 'probes.0.steps.0.trigger.line.command',
          line: 7,
          message: 'uses ${orderId}, which no earlier step captures (no earlier step captures anything)',
        },
      ],
    });

    const options = writeConfig(`plugins: [${LINE_PLUGIN}]
probes:
  - name: order-by-line
    trigger:
      line:
        host: 127.0.0.1
        prot: 7100
        command: PLACE ORDER
    path: [line-edge, backend]
`);
    const { issues } = await validateJson(options);
    expect(issues).toEqual([
      { path: 'probes.0.trigger.line.port', line: 6, message: 'expected a whole number from 1 to 65535, got nothing' },
      { path: 'probes.0.trigger.line.prot', line: 7, message: 'unknown option (known: host, port, command)' },
      {
        path: 'probes.0.trigger.line.command',
        line: 8,
        message: 'expected one word (no spaces), got string "PLACE ORDER"',
      },
    ]);
  });

  it('a valid config with a plugin and a journey that uses what the plugin captures: exit 0, the plugin listed', async () => {
    const file = writeConfig(`plugins: [${LINE_PLUGIN}]
probes:
  - name: order-then-ship
    steps:
      - name: order
        trigger: { line: { port: 7100, command: ORDER } }
        path: [line-edge, backend]
      - name: ship
        trigger: { line: { port: 7100, command: "SHIP-\${orderId}" } }
        path: [line-edge, backend]
`);
    const { code, stdout } = await runCli(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('journey order (line) → ship (line)');
    expect(stdout).toContain(`plugin ${LINE_PLUGIN}: trigger line, a command line over TCP`);
  });
});
