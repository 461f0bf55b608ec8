import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import type { RunSummary } from '@hoptrace/core/api';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import {
  HOPTRACE_CLI,
  cliEnv,
  probeOnce,
  runsCounted,
  startOamserver,
  writeConfig,
  type RunningOamserver,
} from '../support/oamserver';
import { uniquePrefix } from '../support/redis';
import { startRedisCluster, type PrivateRedisCluster, type Takeover } from '../support/redis-cluster';
import { startService, serviceStats, type RunningService } from '../support/services';
import { sleep, waitFor } from '../support/wait';

interface IncidentView {
  id: string;
  state: 'open' | 'resolved';
  probe: string;
  service: string;
  instance?: string;
  kind: string;
  reason: string;
}

/** Which third of the slots (the `masterIndex` of the cluster helper) a slot falls in. */
function masterIndexOf(slot: number): number {
  return slot < 5461 ? 0 : slot < 10923 ? 1 : 2;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function incidents(oamserver: RunningOamserver, state: 'open' | 'all'): Promise<IncidentView[]> {
  return (await getJson<{ incidents: IncidentView[] }>(`${oamserver.url}/api/incidents?state=${state}`)).incidents;
}

/** Runs (of `probe`, or of every probe) fired at or after `fromMs`, newest first, as GET /api/runs lists them. */
async function runsSince(
  oamserver: RunningOamserver,
  probe: string | undefined,
  fromMs: number,
): Promise<RunSummary[]> {
  const only = probe === undefined ? '' : `probe=${probe}&`;
  return (
    await getJson<{ runs: RunSummary[] }>(`${oamserver.url}/api/runs?${only}from=${fromMs}&limit=1000&view=summary`)
  ).runs;
}

/** Run ids of the "run classified" lines of `hoptrace serve`'s log, in order. */
function classifiedRuns(output: string): string[] {
  const ids: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes('"run classified"')) continue;
    try {
      ids.push((JSON.parse(line) as { runId: string }).runId);
    } catch {
      // not a log line of its own (interleaved output)
    }
  }
  return ids;
}

function describeRun(run: RunSummary): string {
  return `${run.runId} fired ${run.firedAt}: ${run.verdict ?? run.state}${run.fault ? ` at ${run.fault.service} (${run.fault.reason})` : ''}`;
}

// Issue 13: hoptrace end to end on a real Redis Cluster (three masters, one replica each, as
// test/support/redis-cluster.ts starts it): the demo's services write their hop records, the
// Oamserver its runs, indexes, incidents and peer directory, and the test reads them back, all
// through the cluster seed list in REDIS_URL. Then masters fail over while probes fire every second.
describe('hoptrace on a Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  /** The test's own reads, through a cluster client. */
  let reader: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 2000 });
    reader = cluster.client();
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  // The voicemail demo with REDIS_URL = the seed list: the platform's own data, its Redis Stream
  // (DEMO_EVENTS=redis, so the queue hop crosses the cluster too) and the hop records.
  describe('verdicts on the voicemail demo', () => {
    const prefix = uniquePrefix('cluster-verdicts');
    let demo: RunningDemo;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      env = cliEnv({ REDIS_URL: cluster.url });
      demo = await startDemo(prefix, { mode: 'probe-only', env: { REDIS_URL: cluster.url, DEMO_EVENTS: 'redis' } });
      // Warm up, as demo.verdicts does: a cold recorder can overrun its 200 ms budget.
      await Promise.all(
        ['deposit-voicemail', 'retrieve-voicemail', 'update-greeting'].map((name) =>
          probeOnce(demo.configFile, name, env),
        ),
      );
    }, 120_000);

    afterAll(async () => {
      await demo?.stop();
      await cluster?.deleteKeysUnder(prefix);
    }, 30_000);

    it('a healthy platform gives ok for all three probes, with the hop records on the cluster', async () => {
      for (const [name, path] of [
        ['deposit-voicemail', ['gateway', 'mailbox', 'recorder', 'storage', 'notifier']],
        ['retrieve-voicemail', ['gateway', 'mailbox', 'retrieval', 'storage']],
        ['update-greeting', ['gateway', 'mailbox']],
      ] as const) {
        const { code, view } = await probeOnce(demo.configFile, name, env);
        expect(view.verdict, `${name}: ${JSON.stringify(view.fault)}`).toBe('ok');
        expect(code).toBe(0);
        expect(view.hops.map((h) => h.service)).toEqual(path);
        // The test's own read, through a cluster client: the run's hop hash holds every hop.
        const stored = await reader.hgetall(`${prefix}run:{${view.runId}}:hops`);
        expect(Object.keys(stored)).toHaveLength(path.length);
      }
      // Runs spread over the slots: every master holds some of the demo's and hoptrace's keys.
      const keys = await cluster.keysUnder(prefix);
      const slots = await Promise.all(keys.map((key) => reader.cluster('KEYSLOT', key)));
      expect(new Set(slots.map((slot) => masterIndexOf(Number(slot)))).size).toBe(3);
    });

    it('recorder latency above its budget gives slow at recorder', async () => {
      await setFaults(demo.urls.recorder[0]!, { latencyMs: 400 });
      try {
        const { code, view } = await probeOnce(demo.configFile, 'deposit-voicemail', env);
        expect(view.verdict, JSON.stringify(view.fault)).toBe('slow');
        expect(code).toBe(1);
        expect(view.fault).toMatchObject({ service: 'recorder', instance: 'recorder-1' });
        expect(view.fault!.reason).toMatch(/recorder took \S+, budget 200ms/);
      } finally {
        await setFaults(demo.urls.recorder[0]!, undefined);
      }
    });

    it('hoptrace serve on the cluster: runs and overview answer, a slow recorder opens an incident', async () => {
      const config = writeConfig(
        `
storage: { keyPrefix: "${prefix}" }
incidents: { openAfter: 2, resolveAfter: 2 }
probes:
  - name: deposit-voicemail
    every: 1s
    timeout: 3s
    trigger:
      http: { method: POST, url: "${demo.urls.gateway[0]}/calls/4155550100/voicemail", body: { caller: "4155550199" }, expectStatus: 201 }
    path: [gateway, mailbox, recorder, storage, notifier]
    budget: { total: 800ms, hops: { recorder: 200ms } }
`,
      );
      const oamserver = await startOamserver(config, env);
      try {
        const startedAt = Date.now();
        await waitFor(
          async () => {
            const recent = (await runsSince(oamserver, 'deposit-voicemail', startedAt)).filter(
              (r) => r.state === 'done',
            );
            return recent.length >= 3 && recent.slice(0, 3).every((r) => r.verdict === 'ok');
          },
          { timeoutMs: 45_000, intervalMs: 250, what: 'three ok runs in a row from hoptrace serve' },
        );
        expect(await incidents(oamserver, 'open')).toEqual([]);

        await setFaults(demo.urls.recorder[0]!, { latencyMs: 400 });
        const incident = await waitFor(
          async () => (await incidents(oamserver, 'open')).find((i) => i.service === 'recorder' && i.kind === 'slow'),
          { timeoutMs: 30_000, intervalMs: 250, what: 'an open slow incident at recorder' },
        );
        expect(incident).toMatchObject({ probe: 'deposit-voicemail', instance: 'recorder-1', state: 'open' });
        expect(incident.reason).toMatch(/recorder took .*, budget 200ms/);
        // The incident's detail, and the runs it names, read back from the cluster.
        const detail = await getJson<{ incident: IncidentView }>(
          `${oamserver.url}/api/incidents/${encodeURIComponent(incident.id)}`,
        );
        expect(detail.incident.id).toBe(incident.id);

        // The run list, filtered by verdict (an index of its own) and by service.
        const slow = await getJson<{ runs: RunSummary[] }>(
          `${oamserver.url}/api/runs?verdict=slow&service=recorder&limit=10&view=summary`,
        );
        expect(slow.runs.length).toBeGreaterThan(0);
        for (const run of slow.runs) expect(run.fault?.service).toBe('recorder');
        const overview = await getJson<{ probes: { name: string }[] }>(`${oamserver.url}/api/overview`);
        expect(overview.probes.map((p) => p.name)).toEqual(['deposit-voicemail']);

        // Healed: the incident resolves after healthy runs.
        await setFaults(demo.urls.recorder[0]!, undefined);
        await waitFor(async () => (await incidents(oamserver, 'open')).length === 0, {
          timeoutMs: 30_000,
          intervalMs: 250,
          what: 'the incident to resolve',
        });
        const all = await incidents(oamserver, 'all');
        expect(all.find((i) => i.id === incident.id)?.state).toBe('resolved');
      } finally {
        await setFaults(demo.urls.recorder[0]!, undefined);
        await oamserver.stop();
      }
      expect(oamserver.output()).not.toMatch(/CROSSSLOT|storage unavailable/);
    }, 120_000);

    // Last: the notifier stays down.
    it('notifier down gives lost: last hop reached storage, first missing notifier', async () => {
      await setFaults(demo.urls.notifier[0]!, { crash: true });
      await waitFor(
        () =>
          fetch(`${demo.urls.notifier[0]!}/healthz`).then(
            () => false,
            () => true,
          ),
        { what: 'the notifier to be down' },
      );
      const { code, view } = await probeOnce(demo.configFile, 'deposit-voicemail', env);
      expect(view.verdict, JSON.stringify(view.fault)).toBe('lost');
      expect(code).toBe(1);
      expect(view.fault!.service).toBe('notifier');
      expect(view.facts).toMatchObject({
        lastHopReached: 'storage',
        firstMissingHop: 'notifier',
        missingHops: ['notifier'],
      });
      expect(view.hops.map((h) => h.service)).toEqual(['gateway', 'mailbox', 'recorder', 'storage']);
    });
  });

  // Masters fail over while `hoptrace serve` fires three probes every second (each its own slot
  // keys; every run's keys in a slot of their own) through three services whose only Redis is
  // hoptrace's (the fixture app keeps no data), so whatever goes wrong is hoptrace's own storage:
  // it must never be blamed on a service. (The demo's services keep their own data in the same
  // Redis: a killed master fails their requests for real, which is a fault of theirs to report.)
  describe('a master failing over while probes fire every second', () => {
    const prefix = uniquePrefix('cluster-failover');
    const PROBES = ['through-a', 'through-b', 'through-c'];
    const services: RunningService[] = [];
    let oamserver: RunningOamserver;

    beforeAll(async () => {
      const env = { HOPTRACE_KEY_PREFIX: prefix, REDIS_URL: cluster.url };
      const back = await startService('express5-esm', { name: 'back', env });
      const middle = await startService('express5-esm', {
        name: 'middle',
        env: { ...env, NEXT_URL: `${back.url}/work` },
      });
      const front = await startService('express5-esm', {
        name: 'front',
        env: { ...env, NEXT_URL: `${middle.url}/work` },
      });
      services.push(front, middle, back);
      const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
incidents: { openAfter: 2, resolveAfter: 2 }
probes:
${PROBES.map(
  (name) => `  - name: ${name}
    every: 1s
    timeout: 2s
    trigger: { http: { url: "${front.url}/work" } }
    path: [front, middle, back]`,
).join('\n')}
`);
      oamserver = await startOamserver(config, cliEnv({ REDIS_URL: cluster.url }));
      const startedAt = Date.now();
      await waitFor(
        async () => {
          const done = (await runsSince(oamserver, undefined, startedAt)).filter((r) => r.state === 'done');
          return done.length >= 6 && done.slice(0, 6).every((r) => r.verdict === 'ok');
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'six ok runs in a row' },
      );
    }, 90_000);

    afterAll(async () => {
      // After the last test the cluster is gone: give the Oamserver a while to stop, then kill it.
      await Promise.race([oamserver?.stop(), sleep(10_000)]);
      await oamserver?.kill();
      await Promise.all(services.map((s) => s.stop()));
    }, 30_000);

    /** Runs counted in /metrics, by verdict, over the probes (runs never stored are counted there too). */
    async function countedRuns(): Promise<Record<string, number>> {
      const sum: Record<string, number> = {};
      for (const probe of PROBES) {
        for (const [verdict, n] of Object.entries(await runsCounted(oamserver.url, probe))) {
          sum[verdict] = (sum[verdict] ?? 0) + n;
        }
      }
      return sum;
    }

    /** The master (as the helper counts them) that holds the run index every run is added to. */
    async function masterOfRecentRuns(): Promise<number> {
      return masterIndexOf(Number(await reader.cluster('KEYSLOT', `${prefix}runs:recent`)));
    }

    /**
     * Runs `takeover` while runs fire, then waits until three runs of each probe fired after it
     * are ok (the work resumed by itself) and every run fired from shortly before it on has a
     * verdict; returns those runs. Fails on any verdict but ok and unknown (naming the runs), on
     * an open incident, and on a run announced twice.
     */
    async function throughTakeover(takeover: () => Promise<Takeover>): Promise<RunSummary[]> {
      // Runs still in flight when the takeover starts are in doubt too.
      const startedAt = Date.now();
      const from = startedAt - 3000;
      const counted = await countedRuns();
      const dropped = await Promise.all(services.map(async (s) => (await serviceStats(s)).droppedTotal));
      const done = await takeover();
      const tookOverAt = Date.now();
      console.log(
        `master on port ${done.from} replaced by port ${done.to}: ${new Date(startedAt).toISOString()} to ${new Date(tookOverAt).toISOString()}`,
      );
      await waitFor(
        async () => {
          const after = (await runsSince(oamserver, undefined, tookOverAt)).filter((r) => r.verdict === 'ok');
          return PROBES.every((probe) => after.filter((r) => r.probe === probe).length >= 3);
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'three ok runs of each probe fired after the takeover' },
      );
      const runs = await waitFor(
        async () => {
          const list = (await runsSince(oamserver, undefined, from)).filter((r) => Date.parse(r.firedAt) <= tookOverAt);
          return list.every((r) => r.state === 'done') && list;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'every run fired around the takeover to have a verdict' },
      );
      // Runs fired after the takeover may still be waiting for their deadline: judged runs only.
      const all = (await runsSince(oamserver, undefined, from)).filter((r) => r.state === 'done');
      const drops = await Promise.all(
        services.map(async (s, i) => `${s.name} ${(await serviceStats(s)).droppedTotal - dropped[i]!}`),
      );
      const warnings = oamserver
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":40') || line.includes('"level":50'));
      console.log(`hops dropped meanwhile: ${drops.join(', ')}; the Oamserver warned:\n${warnings.join('\n')}`);
      const blamed = all.filter((r) => r.verdict !== 'ok' && r.verdict !== 'unknown');
      expect(blamed.map(describeRun), 'runs blamed on a service around the takeover').toEqual([]);
      // Runs that could not be recorded at all are only in the counters: ok or unknown there too.
      const countedNow = await countedRuns();
      const newVerdicts = Object.keys(countedNow).filter((v) => countedNow[v]! > (counted[v] ?? 0));
      expect(newVerdicts.filter((v) => v !== 'ok' && v !== 'unknown')).toEqual([]);
      expect(await incidents(oamserver, 'open')).toEqual([]);
      // Each run is judged once: announced (counted, logged, given to incidents and alerts) once.
      // `hoptrace serve` logs each one but ok runs (JSON lines).
      const seen = new Set<string>();
      const twice = classifiedRuns(oamserver.output()).filter((id) => seen.size === seen.add(id).size);
      expect(twice, 'runs classified twice').toEqual([]);
      const unknown = all.filter((r) => r.verdict === 'unknown');
      console.log(
        `${all.length} runs around the takeover: ${all.length - unknown.length} ok, ${unknown.length} unknown` +
          (unknown.length ? ` (${unknown.map(describeRun).join('; ')})` : ''),
      );
      return runs;
    }

    it('CLUSTER FAILOVER of the master holding the run index: only ok and unknown, then ok again', async () => {
      const index = await masterOfRecentRuns();
      await throughTakeover(() => cluster.failover(index));
      for (const service of services) expect(service.stderr()).not.toMatch(/Unhandled|TypeError/);
    }, 150_000);

    it('the master killed (SIGKILL) and its replica promoted: only ok and unknown, then ok again', async () => {
      const index = await masterOfRecentRuns();
      const before = await Promise.all(services.map((s) => serviceStats(s)));
      const done = await throughTakeover(() => cluster.killMaster(index));
      expect(done.length).toBeGreaterThan(0);
      for (const [i, service] of services.entries()) {
        expect(service.stderr()).not.toMatch(/Unhandled|TypeError/);
        // The drop-ins went on exporting after the promotion.
        expect((await serviceStats(service)).written).toBeGreaterThan(before[i]!.written);
      }
    }, 150_000);

    // Last: the cluster is gone for good. As on one Redis (oamserver.redis-outage), a run in
    // flight when every node goes away is `unknown`, and `hoptrace probe` says so: it must not
    // wait for a cluster that does not come back.
    it('the whole cluster down mid-run: hoptrace probe answers unknown (exit 3), no service blamed', async () => {
      const slow = await startService('express5-esm', {
        name: 'slow',
        env: { HOPTRACE_KEY_PREFIX: prefix, REDIS_URL: cluster.url, DELAY_MS: '1500' },
      });
      services.push(slow);
      const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: in-flight
    timeout: 3s
    trigger: { http: { url: "${slow.url}/work" } }
    path: [slow]
`);
      const before = await reader.zcard(`${prefix}probe:{in-flight}:runs`);
      const cli = spawn(process.execPath, [HOPTRACE_CLI, 'probe', 'in-flight', '--config', config, '--json'], {
        env: cliEnv({ REDIS_URL: cluster.url }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      cli.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      cli.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      try {
        await waitFor(async () => (await reader.zcard(`${prefix}probe:{in-flight}:runs`)) > before, {
          what: 'the run to be recorded',
        });
        await sleep(300); // the trigger is in flight: slow answers 1.5 s after it arrives
        await cluster.killAll();
        await waitFor(() => cli.exitCode !== null, {
          timeoutMs: 45_000,
          intervalMs: 100,
          what: `hoptrace probe to answer with the cluster gone (it printed: ${stdout}${stderr.slice(-1000)})`,
        });
      } finally {
        cli.kill('SIGKILL');
      }
      const view = JSON.parse(stdout);
      expect(view.verdict, stderr).toBe('unknown');
      expect(cli.exitCode).toBe(3);
      expect(view.fault.service).toBe('(hoptrace)');
      expect(view.facts.note).toMatch(/storage/);
    }, 90_000);
  });
});
