import { describe, expect, it } from 'vitest';
import { flowMapSchema, type HopSummary, type ProbeFlow, type RunSummary, type Verdict } from '@hoptrace/core/api';
import { buildProbeFlow } from '../src/http/flow-map';
import { summarizeResult } from '../src/store/run-summary';
import { PATH, PROBE } from './support/hops';
import { RESULTS, resultAt } from './support/scenarios';

// The flow map of one probe, from the summaries of its recent runs.

const FIRED_AT = '2025-01-15T12:00:00.000Z';
let runCounter = 0;

/** A hop of a hand-built summary. */
function hop(service: string, durationMs: number, fields: Partial<HopSummary> = {}): HopSummary {
  return {
    service,
    instance: `${service}-1`,
    durationMs,
    status: 'ok',
    expected: PATH.includes(service),
    onTrace: true,
    ...fields,
  };
}

/** A classified run's summary, built by hand. */
function run(verdict: Verdict, hops: HopSummary[], fields: Partial<RunSummary> = {}): RunSummary {
  runCounter++;
  return {
    runId: `run-${runCounter}`,
    probe: PROBE,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    state: 'done',
    verdict,
    firedAt: FIRED_AT,
    hops,
    ...fields,
  };
}

/** Every hop of the expected path, each taking `durationMs`. */
function fullPath(durationMs = 10, instance?: (service: string) => string): HopSummary[] {
  return PATH.map((s) => hop(s, durationMs, instance ? { instance: instance(s) } : {}));
}

function node(flow: ProbeFlow, service: string) {
  const found = flow.nodes.find((n) => n.service === service);
  if (!found) throw new Error(`no node ${service} in ${JSON.stringify(flow.nodes.map((n) => n.service))}`);
  return found;
}

function edge(flow: ProbeFlow, from: string, to: string) {
  const found = flow.edges.find((e) => e.from === from && e.to === to);
  if (!found) throw new Error(`no edge ${from} → ${to} in ${JSON.stringify(flow.edges.map((e) => [e.from, e.to]))}`);
  return found;
}

function instance(flow: ProbeFlow, service: string, name: string) {
  const found = node(flow, service).instances.find((i) => i.instance === name);
  if (!found) throw new Error(`no instance ${name} of ${service}`);
  return found;
}

describe('buildProbeFlow', () => {
  it('draws the expected path with zero runs: every service and every edge, in order, all zero', () => {
    const flow = buildProbeFlow(PROBE, PATH, []);
    expect(flow).toEqual({
      probe: PROBE,
      path: [...PATH],
      runs: 0,
      nodes: PATH.map((service) => ({
        service,
        expected: true,
        count: 0,
        faults: 0,
        lost: 0,
        worst: 'ok',
        instances: [],
      })),
      edges: PATH.slice(1).map((to, i) => ({ from: PATH[i], to, expected: true, count: 0, lost: 0 })),
    });
    // What the API serves is valid against the contract.
    expect(() => flowMapSchema.parse({ window: '1h', generatedAt: FIRED_AT, probes: [flow] })).not.toThrow();
  });

  it('returns a copy of the path, not the caller array', () => {
    const path = ['a', 'b'];
    const flow = buildProbeFlow('p', path, []);
    path.push('c');
    expect(flow.path).toEqual(['a', 'b']);
  });

  it('counts runs through each service, instance and edge of the path', () => {
    const runs = [
      run('ok', fullPath(10)),
      run(
        'ok',
        fullPath(10, (s) => (s === 'recorder' ? 'recorder-2' : `${s}-1`)),
      ),
      run('ok', fullPath(10)),
    ];
    const flow = buildProbeFlow(PROBE, PATH, runs);
    expect(flow.runs).toBe(3);
    for (const service of PATH) expect(node(flow, service)).toMatchObject({ count: 3, faults: 0, lost: 0 });
    for (let i = 1; i < PATH.length; i++) expect(edge(flow, PATH[i - 1]!, PATH[i]!).count).toBe(3);
    expect(node(flow, 'recorder').instances.map((i) => [i.instance, i.count])).toEqual([
      ['recorder-1', 2],
      ['recorder-2', 1],
    ]);
  });

  it('counts an edge once per run, even when the run goes along it twice (a retry)', () => {
    // a → b, then b answers, a calls b again.
    const flow = buildProbeFlow('p', ['a', 'b'], [run('ok', [hop('a', 50), hop('b', 5), hop('a', 40), hop('b', 7)])]);
    const ab = edge(flow, 'a', 'b');
    expect(ab.count).toBe(1);
    // Both calls' durations still count toward its p95.
    expect(ab.p95Ms).toBe(7);
    // The way back is not an expected edge.
    expect(edge(flow, 'b', 'a')).toMatchObject({ expected: false, count: 1 });
  });

  it('draws no edge from a service to itself', () => {
    const flow = buildProbeFlow('p', ['a', 'b'], [run('ok', [hop('a', 5), hop('a', 5), hop('b', 5)])]);
    expect(flow.edges.map((e) => [e.from, e.to])).toEqual([['a', 'b']]);
  });

  it('shows a service that is not in the path as a node and edges that are not expected (drawn dashed)', () => {
    // recorder → transcoder → storage instead of recorder → storage.
    const hops = [
      hop('gateway', 40),
      hop('mailbox', 4),
      hop('recorder', 30),
      hop('transcoder', 3, { expected: false }),
      hop('storage', 8),
      hop('notifier', 30),
    ];
    const flow = buildProbeFlow(PROBE, PATH, [
      run('unexpected-path', hops, {
        fault: { service: 'transcoder', instance: 'transcoder-1', reason: 'not in the expected path' },
      }),
    ]);
    expect(node(flow, 'transcoder')).toMatchObject({
      expected: false,
      count: 1,
      faults: 1,
      worst: 'unexpected-path',
      instances: [{ instance: 'transcoder-1', count: 1, faults: 1, worst: 'unexpected-path', p95Ms: 3 }],
    });
    expect(edge(flow, 'recorder', 'transcoder')).toMatchObject({ expected: false, count: 1, p95Ms: 3 });
    // The path is an order of visits: storage still came after recorder, the detour hangs off it.
    expect(edge(flow, 'recorder', 'storage')).toMatchObject({ expected: true, count: 1, p95Ms: 8 });
    expect(flow.edges.some((e) => e.from === 'transcoder')).toBe(false);
    expect(flow.nodes.filter((n) => !n.expected).map((n) => n.service)).toEqual(['transcoder']);
  });

  it('from a real unexpected-path run: the extra service is a non-expected node with non-expected edges', () => {
    const summary = summarizeResult(RESULTS['unexpected-path']());
    const flow = buildProbeFlow(PROBE, PATH, [summary]);
    expect(node(flow, 'transcoder')).toMatchObject({ expected: false, count: 1, faults: 1, worst: 'unexpected-path' });
    const extra = flow.edges.filter((e) => !e.expected);
    expect(extra.length).toBeGreaterThan(0);
    for (const e of extra) expect([e.from, e.to]).toContain('transcoder');
    for (const service of PATH) expect(node(flow, service)).toMatchObject({ expected: true, count: 1, faults: 0 });
  });

  it('counts a lost run on the first missing hop and on the edge into it, and nowhere else', () => {
    const lost = run('lost', fullPath(10).slice(0, 2), {
      fault: { service: 'recorder', reason: 'no hop from recorder' },
      firstMissingHop: 'recorder',
    });
    const flow = buildProbeFlow(PROBE, PATH, [lost, run('ok', fullPath(10))]);
    expect(node(flow, 'recorder')).toMatchObject({ lost: 1, faults: 1, count: 1, worst: 'lost' });
    expect(edge(flow, 'mailbox', 'recorder')).toMatchObject({ lost: 1, count: 1 });
    for (const service of PATH.filter((s) => s !== 'recorder')) expect(node(flow, service).lost).toBe(0);
    for (const e of flow.edges.filter((e) => e.to !== 'recorder')) expect(e.lost).toBe(0);
  });

  it('a run lost at the first service of the path counts on that node, with no edge into it', () => {
    const flow = buildProbeFlow(PROBE, PATH, [
      run('lost', [], { fault: { service: 'gateway', reason: 'no hop from gateway' }, firstMissingHop: 'gateway' }),
    ]);
    expect(node(flow, 'gateway')).toMatchObject({ lost: 1, faults: 1, count: 0, worst: 'lost' });
    expect(flow.edges.every((e) => e.lost === 0)).toBe(true);
  });

  it('marks only lost runs as lost: a trigger that failed or an error that stopped the run is a fault where it is', () => {
    const flow = buildProbeFlow(PROBE, PATH, [
      run('trigger-failed', [], { fault: { service: 'gateway', reason: 'ECONNREFUSED' }, firstMissingHop: 'gateway' }),
      run('error', fullPath(10).slice(0, 4), {
        fault: { service: 'storage', instance: 'storage-1', reason: 'storage answered 500' },
        firstMissingHop: 'notifier',
      }),
    ]);
    expect(node(flow, 'gateway')).toMatchObject({ lost: 0, faults: 1, worst: 'trigger-failed' });
    expect(node(flow, 'storage')).toMatchObject({ lost: 0, faults: 1, worst: 'error' });
    expect(node(flow, 'notifier').lost).toBe(0);
    expect(flow.edges.every((e) => e.lost === 0)).toBe(true);
  });

  it('counts runs, not hops: a run that visits a service twice counts once on its node and instance', () => {
    const flow = buildProbeFlow('p', ['a', 'b'], [run('ok', [hop('a', 50), hop('b', 5), hop('a', 40), hop('b', 7)])]);
    expect(node(flow, 'a').count).toBe(1);
    expect(instance(flow, 'a', 'a-1').count).toBe(1);
    expect(flow.runs).toBe(1);
  });

  it('hangs a hop outside the path from the hop that called it, not from the hop listed before it', () => {
    // storage, then notifier (storage's consumer), then transcoder called by recorder.
    const hops = [
      ...fullPath(10),
      hop('transcoder', 3, { expected: false, caller: 'recorder', instance: 'transcoder-1' }),
    ];
    const flow = buildProbeFlow(PROBE, PATH, [run('unexpected-path', hops)]);
    expect(edge(flow, 'recorder', 'transcoder')).toMatchObject({ expected: false, count: 1 });
    expect(flow.edges.some((e) => e.from === 'notifier')).toBe(false);
  });

  it('from real lost runs: lost on notifier and on storage → notifier, once per run', () => {
    const summaries = [0, 1, 2].map((n) =>
      summarizeResult(resultAt({ runId: `lost-${n}`, firedAtMs: 1_736_942_400_000 + n }, { silent: ['notifier'] })),
    );
    expect(summaries.map((s) => s.verdict)).toEqual(['lost', 'lost', 'lost']);
    const flow = buildProbeFlow(PROBE, PATH, summaries);
    expect(node(flow, 'notifier')).toMatchObject({ lost: 3, faults: 3, count: 0, worst: 'lost' });
    expect(edge(flow, 'storage', 'notifier')).toMatchObject({ lost: 3, count: 0 });
    expect(edge(flow, 'storage', 'notifier').p95Ms).toBeUndefined();
    expect(node(flow, 'storage')).toMatchObject({ lost: 0, count: 3 });
  });

  it('a fault blamed on an instance that left no hop appears as that instance with no runs through it', () => {
    const blamed = () =>
      run('lost', fullPath(10).slice(0, 4), {
        fault: { service: 'notifier', instance: 'notifier-2', reason: 'no hop from notifier-2' },
        firstMissingHop: 'notifier',
      });
    const flow = buildProbeFlow(PROBE, PATH, [run('ok', fullPath(10)), blamed(), blamed()]);
    expect(node(flow, 'notifier')).toMatchObject({ count: 1, faults: 2, lost: 2, worst: 'lost' });
    expect(node(flow, 'notifier').instances).toEqual([
      { instance: 'notifier-1', count: 1, faults: 0, worst: 'ok', p95Ms: 10 },
      { instance: 'notifier-2', count: 0, faults: 2, worst: 'lost' },
    ]);
  });

  it('a fault on a service as a whole counts on the node, not on any instance', () => {
    const flow = buildProbeFlow(PROBE, PATH, [
      run('error', fullPath(10), { fault: { service: 'storage', reason: 'every instance answered 500' } }),
    ]);
    expect(node(flow, 'storage')).toMatchObject({ faults: 1, worst: 'error' });
    expect(node(flow, 'storage').instances).toEqual([
      { instance: 'storage-1', count: 1, faults: 0, worst: 'ok', p95Ms: 10 },
    ]);
  });

  it('leaves out unknown and pending runs: they say nothing about the platform', () => {
    const unknown = run('unknown', fullPath(999), {
      fault: { service: '(hoptrace)', reason: 'storage unavailable' },
      firstMissingHop: 'gateway',
    });
    const pending: RunSummary = { ...run('ok', fullPath(999)), state: 'pending' };
    delete pending.verdict;
    const realUnknown = summarizeResult(RESULTS.unknown());
    const flow = buildProbeFlow(PROBE, PATH, [unknown, pending, realUnknown]);
    expect(flow).toEqual(buildProbeFlow(PROBE, PATH, []));

    const withOk = buildProbeFlow(PROBE, PATH, [unknown, run('ok', fullPath(10)), pending]);
    expect(withOk.runs).toBe(1);
    expect(node(withOk, 'gateway')).toMatchObject({ count: 1, lost: 0, p95Ms: 10 });
    expect(withOk.nodes.map((n) => n.service)).not.toContain('(hoptrace)');
  });

  it('ignores the fault and missing hop of an ok run', () => {
    const flow = buildProbeFlow(PROBE, PATH, [
      run('ok', fullPath(10), {
        fault: { service: 'recorder', instance: 'recorder-1', reason: 'stale' },
        firstMissingHop: 'notifier',
      }),
    ]);
    expect(node(flow, 'recorder')).toMatchObject({ faults: 0, worst: 'ok' });
    expect(node(flow, 'notifier').lost).toBe(0);
  });

  it('gives the p95 of hop durations per service, per instance and per edge (of the callee)', () => {
    // Twenty runs: recorder takes 1..20 ms, on recorder-1 for odd, recorder-2 for even durations.
    const runs = Array.from({ length: 20 }, (_, i) => {
      const ms = i + 1;
      return run('ok', [
        hop('gateway', 100),
        hop('mailbox', 4),
        hop('recorder', ms, { instance: `recorder-${ms % 2 === 1 ? 1 : 2}` }),
        hop('storage', 8),
        hop('notifier', 30),
      ]);
    });
    const flow = buildProbeFlow(PROBE, PATH, runs);
    // The 19th of 20 sorted values.
    expect(node(flow, 'recorder').p95Ms).toBe(19);
    expect(edge(flow, 'mailbox', 'recorder').p95Ms).toBe(19);
    // Odd: 1..19 (10 values) → the 10th; even: 2..20 → the 10th.
    expect(instance(flow, 'recorder', 'recorder-1').p95Ms).toBe(19);
    expect(instance(flow, 'recorder', 'recorder-2').p95Ms).toBe(20);
    expect(node(flow, 'gateway').p95Ms).toBe(100);
  });

  it('p95 of a hundred values is the 95th, of one value that value', () => {
    const runs = Array.from({ length: 100 }, (_, i) => run('ok', [hop('a', 100 - i), hop('b', 1)]));
    const flow = buildProbeFlow('p', ['a', 'b'], runs);
    expect(node(flow, 'a').p95Ms).toBe(95);
    expect(buildProbeFlow('p', ['a'], [run('ok', [hop('a', 42.5)])]).nodes[0]!.p95Ms).toBe(42.5);
  });

  it('the worst verdict blamed on a service or instance is the latest in VERDICTS order, whatever the run order', () => {
    const blame = (verdict: Verdict, inst = 'recorder-1') =>
      run(verdict, fullPath(10), { fault: { service: 'recorder', instance: inst, reason: verdict } });
    const verdicts: Verdict[] = ['slow', 'trigger-failed', 'error', 'context-broken', 'lost', 'unexpected-path'];
    const forward = buildProbeFlow(
      PROBE,
      PATH,
      verdicts.map((v) => blame(v)),
    );
    const backward = buildProbeFlow(
      PROBE,
      PATH,
      [...verdicts].reverse().map((v) => blame(v)),
    );
    for (const flow of [forward, backward]) {
      expect(node(flow, 'recorder')).toMatchObject({ worst: 'trigger-failed', faults: verdicts.length });
      expect(instance(flow, 'recorder', 'recorder-1')).toMatchObject({ worst: 'trigger-failed', faults: 6 });
    }
    // Each pair: the second is worse.
    const pairs: [Verdict, Verdict][] = [
      ['slow', 'error'],
      ['error', 'lost'],
      ['lost', 'context-broken'],
      ['context-broken', 'unexpected-path'],
      ['unexpected-path', 'trigger-failed'],
    ];
    for (const [better, worse] of pairs) {
      for (const order of [
        [better, worse],
        [worse, better],
      ]) {
        const flow = buildProbeFlow(
          PROBE,
          PATH,
          order.map((v) => blame(v)),
        );
        expect(node(flow, 'recorder').worst, order.join(' then ')).toBe(worse);
      }
    }
    // A service with no fault stays ok; the worst of one instance does not leak to another.
    const mixed = buildProbeFlow(PROBE, PATH, [blame('slow', 'recorder-2'), blame('error', 'recorder-1')]);
    expect(node(mixed, 'storage').worst).toBe('ok');
    expect(instance(mixed, 'recorder', 'recorder-2').worst).toBe('slow');
    expect(instance(mixed, 'recorder', 'recorder-1').worst).toBe('error');
  });

  it('lists instances in natural order (recorder-2 before recorder-10)', () => {
    const runs = ['recorder-10', 'recorder-2', 'recorder-1'].map((inst) =>
      run(
        'ok',
        fullPath(10, (s) => (s === 'recorder' ? inst : `${s}-1`)),
      ),
    );
    const flow = buildProbeFlow(PROBE, PATH, runs);
    expect(node(flow, 'recorder').instances.map((i) => i.instance)).toEqual([
      'recorder-1',
      'recorder-2',
      'recorder-10',
    ]);
  });
});
