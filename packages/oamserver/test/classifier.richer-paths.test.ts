import { describe, expect, it } from 'vitest';
import {
  formatPath,
  hasEveryRequiredHop,
  isStructured,
  matchPath,
  pathServices,
  runPathFields,
  type PathStep,
} from '../src/classifier/expected-path';
import { OTHER_TRACE_ID, RUN_TRACE_ID } from './support/hops';
import { chain, classifyWithPath, loseContext, treeHops } from './support/call-tree';

const WITH_CACHE: PathStep[] = ['gateway', { service: 'cache', optional: true }, 'mailbox'];
/** The gateway calls the mailbox, which calls the gateway back. */
const CALLBACK: PathStep[] = ['gateway', 'mailbox', 'gateway'];
const FAN_OUT: PathStep[] = ['gateway', { anyOrder: ['mailbox', 'recorder'] }, 'storage'];

describe('expected paths: optional services', () => {
  it('an optional service that did not come is fine', () => {
    const result = classifyWithPath(WITH_CACHE, treeHops(['gateway', 'mailbox']));
    expect(result.verdict).toBe('ok');
    expect(result.facts.expectedPath).toEqual(['gateway', 'cache', 'mailbox']);
    expect(result.facts.expectedPathText).toBe('gateway → cache? → mailbox');
    expect(result.facts.missingHops).toEqual([]);
    expect(result.facts.lastHopReached).toBe('mailbox');
  });

  it('an optional service that came is expected, not extra', () => {
    const result = classifyWithPath(WITH_CACHE, treeHops(['gateway', 'cache', 'mailbox']));
    expect(result.verdict).toBe('ok');
    expect(result.facts.extraHops).toEqual([]);
    expect(result.hops.map((h) => h.expected)).toEqual([true, true, true]);
  });

  it('an optional service that came after the next one is out of order', () => {
    const result = classifyWithPath(WITH_CACHE, treeHops(['gateway', 'mailbox', 'cache']));
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'cache',
      instance: 'cache-1',
      reason: 'cache came out of order: seen gateway → mailbox → cache',
    });
  });

  it('a required service after a missing optional one is lost; the run last reached the one before', () => {
    const result = classifyWithPath(WITH_CACHE, treeHops('gateway'));
    expect(result.verdict).toBe('lost');
    expect(result.facts.missingHops).toEqual(['mailbox']);
    expect(result.facts.lastHopReached).toBe('gateway');
    expect(result.fault).toEqual({
      service: 'mailbox',
      reason: 'no hop from mailbox within 5s; the run last reached gateway (gateway-1)',
    });
  });

  it('when storage cannot be read, only the required services are listed as missing', () => {
    const result = classifyWithPath(WITH_CACHE, undefined);
    expect(result.verdict).toBe('unknown');
    expect(result.facts.missingHops).toEqual(['gateway', 'mailbox']);
  });
});

describe('expected paths: a service visited twice', () => {
  it('gateway → mailbox → gateway, as expected: ok (a plain list, no structure to record)', () => {
    const result = classifyWithPath(CALLBACK, treeHops(chain(['gateway', 'mailbox', 'gateway'])));
    expect(result.verdict).toBe('ok');
    expect(result.facts.hopsSeen).toEqual(['gateway', 'mailbox', 'gateway']);
    expect(result.facts.expectedPathText).toBeUndefined();
  });

  it('the second visit missing: lost at the gateway, after the mailbox', () => {
    const result = classifyWithPath(CALLBACK, treeHops(['gateway', 'mailbox']));
    expect(result.verdict).toBe('lost');
    expect(result.facts.firstMissingHop).toBe('gateway');
    expect(result.facts.missingHops).toEqual(['gateway']);
    expect(result.facts.lastHopReached).toBe('mailbox');
    expect(result.fault).toEqual({
      service: 'gateway',
      reason: 'no hop from gateway within 5s; the run last reached mailbox (mailbox-1)',
    });
  });

  it('a third visit is extra: unexpected-path at that hop', () => {
    const hops = treeHops(['gateway', ['mailbox', 'gateway', 'gateway']], { 3: 'gateway-2' });
    const result = classifyWithPath(CALLBACK, hops);
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'gateway',
      instance: 'gateway-2',
      reason: 'gateway came 3 times, the path expects it 2 times',
    });
    expect(result.facts.extraHops).toEqual(['gateway']);
    expect(result.facts.missingHops).toEqual([]);
  });

  it('a service of a plain path that came twice is extra too', () => {
    const result = classifyWithPath(['gateway', 'mailbox'], treeHops(['gateway', 'mailbox', 'mailbox']));
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault?.reason).toBe('mailbox came 2 times, the path expects it 1 time');
  });

  it('the deepest failing hop is the second visit, not the first', () => {
    const hops = treeHops(chain(['gateway', 'mailbox', 'gateway']), { 2: 'gateway-2' });
    for (const hop of hops) hop.status = 'error';
    const result = classifyWithPath(CALLBACK, hops);
    expect(result.verdict).toBe('error');
    expect(result.fault).toMatchObject({ service: 'gateway', instance: 'gateway-2' });
  });

  it('the second visit under another trace: the context was lost between the mailbox and the gateway', () => {
    const hops = treeHops(chain(['gateway', 'mailbox', 'gateway']));
    loseContext(hops[2]!);
    const result = classifyWithPath(CALLBACK, hops);
    expect(result.verdict).toBe('context-broken');
    expect(result.fault?.reason).toBe(
      `gateway handled the run under trace ${OTHER_TRACE_ID}, not the run's trace ${RUN_TRACE_ID}` +
        ' (the trace context was lost between mailbox and gateway)',
    );
  });
});

describe('expected paths: a group in any order', () => {
  it('either order is fine', () => {
    for (const tree of [
      ['gateway', 'mailbox', ['recorder', 'storage']],
      ['gateway', 'recorder', 'mailbox', 'storage'],
    ] as const) {
      const result = classifyWithPath(FAN_OUT, treeHops(tree));
      expect(result.verdict).toBe('ok');
      expect(result.facts.expectedPathText).toBe('gateway → (mailbox | recorder) → storage');
    }
  });

  it('a member missing, and nothing after it: lost at that member, after the step before the group', () => {
    const result = classifyWithPath(
      ['gateway', { anyOrder: ['mailbox', 'recorder'] }],
      treeHops(['gateway', 'recorder']),
    );
    // The recorder is the mailbox's sibling, not a later service: the run is lost, not skipped.
    expect(result.verdict).toBe('lost');
    expect(result.facts.missingHops).toEqual(['mailbox']);
    expect(result.facts.lastHopReached).toBe('gateway');
    expect(result.fault?.service).toBe('mailbox');
  });

  it('a member missing while the step after the group came: unexpected-path (skipped)', () => {
    const result = classifyWithPath(FAN_OUT, treeHops(['gateway', ['recorder', 'storage']]));
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'mailbox',
      reason: 'mailbox did not report, but later services did (skipped, or not instrumented)',
    });
  });

  it('a call toward a missing member that nothing answered is blamed on it, the step before the group calling', () => {
    const hops = treeHops(['gateway', 'recorder']);
    hops[0]!.exits!.push({ spanId: 'ffff000000000001', atUs: 100, peer: 'mailbox:7002', unreached: 'ECONNREFUSED' });
    const result = classifyWithPath(['gateway', { anyOrder: ['recorder', 'mailbox'] }], hops);
    expect(result.verdict).toBe('lost');
    expect(result.fault).toEqual({
      service: 'mailbox',
      reason:
        'gateway (gateway-1) called mailbox at mailbox:7002, and nothing answered there (connection refused, ECONNREFUSED)',
    });
  });

  it('a service not in the path is extra: the reason shows the path as written', () => {
    const result = classifyWithPath(FAN_OUT, treeHops(['gateway', 'mailbox', 'transcoder', ['recorder', 'storage']]));
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'transcoder',
      instance: 'transcoder-1',
      reason: 'transcoder is not in the expected path gateway → (mailbox | recorder) → storage',
    });
    expect(result.hops.find((h) => h.service === 'transcoder')!.expected).toBe(false);
  });

  it('a step after the group that came before it is out of order', () => {
    const result = classifyWithPath(FAN_OUT, treeHops(['gateway', 'storage', 'mailbox', 'recorder']));
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault).toEqual({
      service: 'mailbox',
      instance: 'mailbox-1',
      reason: 'mailbox came out of order: seen gateway → storage → mailbox → recorder',
    });
  });
});

describe('expected paths: all together', () => {
  // The gateway may ask the cache, then calls the mailbox and (maybe) the recorder in any order;
  // the mailbox calls the gateway back.
  const PATH: PathStep[] = [
    'gateway',
    { service: 'cache', optional: true },
    { anyOrder: ['mailbox', { service: 'recorder', optional: true }] },
    'gateway',
  ];

  it('is written and flattened as expected', () => {
    expect(formatPath(PATH)).toBe('gateway → cache? → (mailbox | recorder?) → gateway');
    expect(pathServices(PATH)).toEqual(['gateway', 'cache', 'mailbox', 'recorder', 'gateway']);
    expect(isStructured(PATH)).toBe(true);
    expect(runPathFields(PATH)).toEqual({
      path: ['gateway', 'cache', 'mailbox', 'recorder', 'gateway'],
      pathSteps: PATH,
    });
    expect(runPathFields(CALLBACK)).toEqual({ path: CALLBACK });
  });

  it('runs the path admits are ok', () => {
    const admitted: Parameters<typeof treeHops>[0][] = [
      ['gateway', ['mailbox', 'gateway']],
      ['gateway', 'cache', ['mailbox', 'gateway']],
      ['gateway', 'recorder', ['mailbox', 'gateway']],
      ['gateway', 'cache', 'recorder', ['mailbox', 'gateway']],
    ];
    for (const tree of admitted) {
      const result = classifyWithPath(PATH, treeHops(tree));
      expect(result.verdict, JSON.stringify(tree)).toBe('ok');
    }
  });

  it("the path is read in causal order: a member's callees come before the member called after it", () => {
    // The gateway called the mailbox (which called back) before the recorder: in causal order the
    // callback comes before the recorder, so the recorder came after the step that follows the group.
    const result = classifyWithPath(PATH, treeHops(['gateway', ['mailbox', 'gateway'], 'recorder']));
    expect(result.facts.hopsSeen).toEqual(['gateway', 'mailbox', 'gateway', 'recorder']);
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault?.reason).toBe('recorder came out of order: seen gateway → mailbox → gateway → recorder');
  });

  it('the callback missing: lost at the gateway, last reached the mailbox', () => {
    const result = classifyWithPath(PATH, treeHops(['gateway', 'cache', 'mailbox', 'recorder']));
    expect(result.verdict).toBe('lost');
    expect(result.facts.firstMissingHop).toBe('gateway');
    expect(result.facts.lastHopReached).toBe('recorder');
  });

  it('the cache asked after the group is out of order', () => {
    const result = classifyWithPath(PATH, treeHops(['gateway', ['mailbox', 'gateway'], 'cache']));
    expect(result.verdict).toBe('unexpected-path');
    expect(result.fault?.service).toBe('cache');
    expect(result.fault?.reason).toMatch(/^cache came out of order/);
  });
});

describe('matchPath', () => {
  it('an optional slot does not take the hop a later required slot of its service needs', () => {
    const match = matchPath([{ service: 'cache', optional: true }, 'b', 'cache'], ['b', 'cache']);
    expect(match.hopOfSlot).toEqual([undefined, 0, 1]);
    expect(match.extra).toEqual([]);
    expect(match.firstOutOfOrder).toBeUndefined();
  });

  it('names the hop that came after a later step, not the later step', () => {
    const match = matchPath(['a', 'b', 'c'], ['a', 'c', 'b']);
    expect(match.firstOutOfOrder).toBe(2);
  });

  it('ranks: group members share one', () => {
    expect(matchPath(FAN_OUT, []).slots.map((s) => s.rank)).toEqual([0, 1, 1, 2]);
  });

  it('hasEveryRequiredHop counts repeats and ignores optional services', () => {
    expect(hasEveryRequiredHop(CALLBACK, ['gateway', 'mailbox'])).toBe(false);
    expect(hasEveryRequiredHop(CALLBACK, ['mailbox', 'gateway', 'gateway'])).toBe(true);
    expect(hasEveryRequiredHop(WITH_CACHE, ['gateway', 'mailbox'])).toBe(true);
  });
});
