import { probeFlowSchema, type ProbeFlow } from '@hoptrace/core/api';
import { describe, expect, it } from 'vitest';
import { edgePath, flowGraphInput, layoutFlow, nodeSize, NODE_MIN_WIDTH } from '../src/lib/flow-layout';

function flow(): ProbeFlow {
  const inst = (instance: string, worst = 'ok') => ({
    instance,
    count: 10,
    faults: worst === 'ok' ? 0 : 2,
    worst,
    p95Ms: 12,
  });
  const node = (service: string, expected: boolean, instances: ReturnType<typeof inst>[], lost = 0) => ({
    service,
    expected,
    count: 10,
    faults: 0,
    lost,
    worst: 'ok',
    instances,
  });
  return probeFlowSchema.parse({
    probe: 'deposit-voicemail',
    path: ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'],
    runs: 10,
    // Nodes arrive in any order; `audit` is off the path; `notifier` was never reached.
    nodes: [
      node('recorder', true, [inst('recorder-1'), inst('recorder-2', 'slow'), inst('recorder-3')]),
      node('gateway', true, [inst('gateway-1')]),
      node('audit', false, [inst('audit-1')]),
      node('mailbox', true, [inst('mailbox-1')]),
      node('storage', true, [inst('storage-1')], 0),
    ],
    edges: [
      { from: 'gateway', to: 'mailbox', expected: true, count: 10, p95Ms: 12, lost: 0 },
      { from: 'mailbox', to: 'recorder', expected: true, count: 10, lost: 0 },
      { from: 'recorder', to: 'storage', expected: true, count: 10, lost: 0 },
      { from: 'recorder', to: 'audit', expected: false, count: 3, lost: 0 },
      { from: 'storage', to: 'notifier', expected: true, count: 0, lost: 3 },
      { from: 'ghost', to: 'gateway', expected: false, count: 1, lost: 0 },
    ],
  });
}

describe('flow map layout', () => {
  it('sizes a box to hold its instance chips', () => {
    const f = flow();
    const one = nodeSize(f.nodes[1]!);
    const three = nodeSize(f.nodes[0]!);
    expect(one.width).toBe(NODE_MIN_WIDTH);
    expect(three.height).toBeGreaterThan(one.height); // two rows of chips
    expect(three.width).toBeGreaterThanOrEqual(one.width);
  });

  it('feeds the layout the path in order, then services off the path, and only known edges', () => {
    const input = flowGraphInput(flow());
    expect(input.nodes.map((n) => n.id)).toEqual(['gateway', 'mailbox', 'recorder', 'storage', 'notifier', 'audit']);
    // The unreached notifier still gets a box: that is where runs stopped.
    expect(input.nodes[4]!.node).toMatchObject({ service: 'notifier', count: 0, expected: true });
    expect(input.edges.map((e) => e.id)).toEqual([
      'gateway->mailbox',
      'mailbox->recorder',
      'recorder->storage',
      'recorder->audit',
      'storage->notifier',
    ]);
    expect(input.edges.find((e) => e.id === 'recorder->audit')!.edge.expected).toBe(false);
  });

  it('lays the expected path out left to right', () => {
    const layout = layoutFlow(flowGraphInput(flow()));
    const x = Object.fromEntries(layout.nodes.map((n) => [n.id, n.x]));
    expect(x.gateway!).toBeLessThan(x.mailbox!);
    expect(x.mailbox!).toBeLessThan(x.recorder!);
    expect(x.recorder!).toBeLessThan(x.storage!);
    expect(x.storage!).toBeLessThan(x.notifier!);
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width).toBeLessThanOrEqual(layout.width + 1);
    }
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(
      edgePath([
        { x: 0, y: 1 },
        { x: 2.25, y: 3 },
      ]),
    ).toBe('M0.0,1.0 L2.3,3.0');
  });
});
