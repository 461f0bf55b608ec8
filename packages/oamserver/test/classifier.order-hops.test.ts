import { describe, expect, it } from 'vitest';
import type { HopRecord } from '@hoptrace/core';
import { classify } from '../src/classifier/classify';
import { linkHops, orderHops } from '../src/classifier/order-hops';
import { analyzeTiming } from '../src/classifier/timing';
import { FIRED_AT_MS, PATH, buildRun, hopOf, hopRecord } from './support/hops';

const services = (hops: readonly HopRecord[]) => hops.map((h) => h.service);
const byStart = (hops: readonly HopRecord[]) => [...hops].sort((a, b) => a.startUs - b.startUs);

describe('orderHops', () => {
  it('orders hops causally from their exits, whatever order they were read in', () => {
    const { hops } = buildRun();
    expect(services(orderHops(hops))).toEqual(PATH);
    expect(services(orderHops([...hops].reverse()))).toEqual(PATH);
  });

  it('keeps causal order when start times lie (skewed clocks)', () => {
    const { hops } = buildRun({ skewMs: { recorder: -30_000, storage: 30_000, mailbox: 5000 } });
    // By wall clock the run would read recorder, gateway, ..., which is wrong.
    expect(services(byStart(hops))).not.toEqual(PATH);
    expect(services(orderHops(hops))).toEqual(PATH);
  });

  it('orders siblings by when their parent called them, on the parent’s clock', () => {
    // mailbox's clock is 5 s ahead, so by start time it would come after the recorder's whole subtree.
    const { hops } = buildRun({ skewMs: { mailbox: 5000 } });
    expect(services(byStart(hops)).indexOf('mailbox')).toBeGreaterThan(services(byStart(hops)).indexOf('recorder'));
    expect(services(orderHops(hops))).toEqual(PATH);

    const { hops: swapped } = buildRun({ calls: { gateway: ['recorder', 'mailbox'] } });
    expect(services(orderHops(swapped))).toEqual(['gateway', 'recorder', 'storage', 'notifier', 'mailbox']);
  });

  it('siblings: exit time decides, start time only breaks ties', () => {
    const parent = hopRecord('gateway', {
      spanId: 'aaaaaaaaaaaaaaaa',
      exits: [
        { spanId: '1111111111111111', atUs: 500 },
        { spanId: '2222222222222222', atUs: 100 },
      ],
    });
    const late = hopRecord('mailbox', { parentSpanId: '1111111111111111', startUs: parent.startUs + 1 });
    const early = hopRecord('recorder', { parentSpanId: '2222222222222222', startUs: parent.startUs + 9_000_000 });
    expect(services(orderHops([late, parent, early]))).toEqual(['gateway', 'recorder', 'mailbox']);
  });

  it('falls back to start time when hops carry no exits and no links', () => {
    const t0 = FIRED_AT_MS * 1000;
    const hops = [
      hopRecord('storage', { startUs: t0 + 3000, parentSpanId: 'cccccccccccccccc' }),
      hopRecord('gateway', { startUs: t0 + 1000 }),
      hopRecord('recorder', { startUs: t0 + 2000, parentSpanId: 'bbbbbbbbbbbbbbbb' }),
    ];
    expect(linkHops(hops).every((l) => l.parent === undefined)).toBe(true);
    expect(services(orderHops(hops))).toEqual(['gateway', 'recorder', 'storage']);
  });

  it('a cycle in corrupt data does not hang: every hop comes out once', () => {
    const a = hopRecord('gateway', {
      spanId: 'aaaaaaaaaaaaaaaa',
      parentSpanId: 'bbbbbbbbbbbbbbb1',
      exits: [{ spanId: 'aaaaaaaaaaaaaaa1', atUs: 10 }],
    });
    const b = hopRecord('mailbox', {
      spanId: 'bbbbbbbbbbbbbbbb',
      parentSpanId: 'aaaaaaaaaaaaaaa1',
      exits: [{ spanId: 'bbbbbbbbbbbbbbb1', atUs: 10 }],
    });
    const self = hopRecord('recorder', {
      spanId: 'cccccccccccccccc',
      parentSpanId: 'cccccccccccccccc',
      exits: [{ spanId: 'cccccccccccccccc', atUs: 0 }],
    });
    const ordered = orderHops([a, b, self]);
    expect(ordered).toHaveLength(3);
    expect(new Set(ordered)).toEqual(new Set([a, b, self]));

    // The rest of the classifier copes too.
    const timing = analyzeTiming([a, b, self], {
      firedAtMs: FIRED_AT_MS,
      observedWindowMs: 500,
      skewThresholdMs: 1000,
    });
    expect(timing.totalMs).toBeGreaterThan(0);
    const { run } = buildRun({ path: ['gateway', 'mailbox', 'recorder'] });
    expect(classify({ run, hops: [a, b, self] }, 500).verdict).toBeTypeOf('string');
  });
});

describe('linkHops', () => {
  it('links a hop to the hop whose exit is its parent span, with when the call was made', () => {
    const { hops } = buildRun();
    const links = linkHops(hops);
    const linkOf = (service: string) => links.find((l) => l.hop.service === service)!;
    const gateway = hopOf(hops, 'gateway');
    expect(linkOf('gateway').parent).toBeUndefined();
    expect(linkOf('mailbox').parent).toBe(gateway);
    expect(linkOf('mailbox').exitAtUs).toBe(gateway.exits![0]!.atUs);
    expect(linkOf('recorder').parent).toBe(gateway);
    expect(linkOf('recorder').exitAtUs).toBe(gateway.exits![1]!.atUs);
    expect(linkOf('storage').parent).toBe(hopOf(hops, 'recorder'));
    expect(linkOf('notifier').parent).toBe(hopOf(hops, 'storage'));
  });

  it('links a hop whose parent is another hop’s own span (no client span in between), at 0 µs', () => {
    const parent = hopRecord('gateway', { spanId: 'aaaaaaaaaaaaaaaa' });
    const child = hopRecord('mailbox', { parentSpanId: 'aaaaaaaaaaaaaaaa' });
    expect(linkHops([parent, child])[1]).toEqual({ hop: child, parent, exitAtUs: 0 });
  });

  it('a parent span id that matches nothing leaves the hop unlinked', () => {
    const hop = hopRecord('mailbox', { parentSpanId: 'dddddddddddddddd' });
    expect(linkHops([hop])).toEqual([{ hop }]);
  });
});
