import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { decodeHopRecord } from '@hoptrace/core';
import { aclLogOf, createDocumentedAclUsers, deleteAclUsers, type TestAclUser } from '../support/acl-users';
import { cliEnv, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { probeRequest } from '../support/probe';
import { REDIS_URL, deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { serviceStats, startService, type RunningService } from '../support/services';
import { waitFor } from '../support/wait';

// The two Redis users of docs/security.md ("Least-privilege Redis"), read from the page itself and
// created on the real Redis under a unique prefix: a service writes its hops through its user, the
// Oamserver fires and classifies a probe through its own, neither is refused anything, and the
// service's user can read nothing and touch no other key.
describe('least-privilege Redis users, as documented', () => {
  const prefix = uniquePrefix('acl');
  let admin: Redis;
  let users: Map<string, TestAclUser>;
  let service: RunningService;
  let oamserver: RunningOamserver | undefined;
  let asService: Redis | undefined;
  let classifiedRunId = '';
  const user = (name: string): TestAclUser => {
    const found = users.get(name);
    if (!found) throw new Error(`docs/security.md defines no user ${name}`);
    return found;
  };

  beforeAll(async () => {
    admin = testRedis();
    users = await createDocumentedAclUsers(admin, REDIS_URL, prefix);
    service = await startService('express5-esm', {
      name: 'acl-svc',
      env: { HOPTRACE_KEY_PREFIX: prefix, REDIS_URL: user('hoptrace-service').url },
    });
  });

  afterAll(async () => {
    await oamserver?.stop();
    await service?.stop();
    asService?.disconnect();
    if (users) await deleteAclUsers(admin, users.values());
    await deleteKeysUnder(admin, prefix);
    admin.disconnect();
  });

  it('defines the two users with the prefix substituted', () => {
    expect([...users.keys()]).toEqual(['hoptrace-service', 'hoptrace-oamserver']);
    expect(user('hoptrace-service').rules).toContain(`%RW~${prefix}run:{*}:hops`);
    expect(user('hoptrace-oamserver').rules).toContain(`~${prefix}*`);
  });

  it("a service writes its hop record through the service's user", async () => {
    const probe = probeRequest({ probe: 'acl-direct' });
    const res = await fetch(`${service.url}/work`, { headers: probe.headers });
    expect(res.status).toBe(200);
    const raw = await waitFor(async () => Object.values(await admin.hgetall(`${prefix}run:{${probe.runId}}:hops`))[0], {
      what: 'the hop record',
    });
    expect(decodeHopRecord(raw)).toMatchObject({ runId: probe.runId, service: 'acl-svc', status: 'ok' });
    expect(await admin.pttl(`${prefix}run:{${probe.runId}}:hops`)).toBeGreaterThan(0);
  });

  it('the Oamserver fires a probe through the service and classifies it ok, through its user', async () => {
    const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
incidents: { openAfter: 1, resolveAfter: 1 }
probes:
  - name: acl
    enabled: false
    timeout: 5s
    trigger: { http: { url: ${service.url}/work } }
    path: [acl-svc]
  - name: acl-lost
    enabled: false
    timeout: 2s
    trigger: { http: { url: ${service.url}/work } }
    path: [acl-svc, ghost]
`);
    oamserver = await startOamserver(config, cliEnv({ REDIS_URL: user('hoptrace-oamserver').url }));
    const res = await fetch(`${oamserver.url}/api/probes/acl/runs`, { method: 'POST' });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const stored = await waitFor(
      async () => {
        const run = await admin.hgetall(`${prefix}run:{${runId}}`);
        return run.state === 'done' ? run : undefined;
      },
      { timeoutMs: 15_000, what: 'the run to be classified' },
    );
    expect(JSON.parse(stored.result!)).toMatchObject({ verdict: 'ok' });
    classifiedRunId = runId;

    // A run lost at `ghost` opens an incident: the incident store's writes go through the user too.
    expect((await fetch(`${oamserver.url}/api/probes/acl-lost/runs`, { method: 'POST' })).status).toBe(202);
    const incidents = await waitFor(
      async () => {
        const list = (await (await fetch(`${oamserver!.url}/api/incidents`)).json()) as {
          incidents: { probe: string }[];
        };
        return list.incidents.length > 0 ? list.incidents : undefined;
      },
      { timeoutMs: 15_000, what: 'an incident for the lost run' },
    );
    expect(incidents[0]).toMatchObject({ probe: 'acl-lost', state: 'open', service: 'ghost', kind: 'lost' });
    // Its API reads it back through the same user.
    const view = await fetch(`${oamserver.url}/api/runs/${runId}`);
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ runId, verdict: 'ok' });
  });

  it('neither user was refused anything, and the exporter dropped nothing', async () => {
    // The Oamserver's verdicts stream reader (XREAD BLOCK) and its indexes ran meanwhile.
    await waitFor(async () => (await admin.xlen(`${prefix}verdicts`)) > 0, { what: 'the verdict in the stream' });
    expect(await aclLogOf(admin, user('hoptrace-service').name)).toEqual([]);
    expect(await aclLogOf(admin, user('hoptrace-oamserver').name)).toEqual([]);
    const stats = await serviceStats(service);
    expect(stats.written).toBeGreaterThanOrEqual(2);
    expect(stats.droppedTotal).toBe(0);
    expect(service.stderr()).not.toMatch(/ready check|NOPERM|dropped/i);
    expect(oamserver!.output()).not.toMatch(/NOPERM/);
  });

  it("the service's user can read nothing and touch no other key", async () => {
    const run = `${prefix}run:{${classifiedRunId}}`;
    const hops = `${run}:hops`;
    expect(await admin.hlen(hops)).toBe(1);
    asService = new Redis(user('hoptrace-service').url, { maxRetriesPerRequest: 0, enableReadyCheck: false });
    const refused: [string, () => Promise<unknown>][] = [
      ['HGETALL run', () => asService!.hgetall(run)],
      ['HGET run', () => asService!.hget(run, 'run')],
      ['HGETALL hops', () => asService!.hgetall(hops)],
      ['HGET hops', () => asService!.hget(hops, 'x')],
      ['HSCAN hops', () => asService!.hscan(hops, 0)],
      ['HVALS hops', () => asService!.hvals(hops)],
      ['DUMP hops', () => asService!.dump(hops)],
      ['KEYS', () => asService!.keys('*')],
      ['SCAN', () => asService!.scan(0)],
      ['GET', () => asService!.get(`${prefix}anything`)],
      ['HSET run', () => asService!.hset(run, 'state', 'pending')],
      ['DEL hops', () => asService!.del(hops)],
      ['CONFIG', () => asService!.config('GET', '*')],
      ['ACL', () => asService!.call('ACL', 'LIST')],
      ['FLUSHALL', () => asService!.flushall()],
      ['PUBLISH', () => asService!.call('PUBLISH', 'x', 'y')],
      // Inside a script the same rules hold: no reading commands, no other keys.
      ['EVAL HGETALL hops', () => asService!.eval("return redis.call('HGETALL', KEYS[1])", 1, hops)],
      ['EVAL HSET run', () => asService!.eval("return redis.call('HSET', KEYS[1], 'state', 'x')", 1, run)],
      ['EVAL undeclared run', () => asService!.eval(`return redis.call('HLEN', '${run}')`, 0)],
    ];
    for (const [what, command] of refused) {
      // Redis 7.0 words a refusal inside a script "The user executing the script can't run this command".
      await expect(command(), what).rejects.toThrow(/NOPERM|user executing the script can't/);
    }
    // ACL LOG, which the test above found empty, logged every refusal.
    const log = await aclLogOf(admin, user('hoptrace-service').name);
    expect(log).toEqual(
      expect.arrayContaining([expect.stringMatching(/^command hgetall/), expect.stringMatching(/^key /)]),
    );
    // The run, its hop and the other keys are as they were.
    expect(await admin.hlen(hops)).toBe(1);
    expect(await admin.hget(run, 'state')).toBe('done');
  });
});
