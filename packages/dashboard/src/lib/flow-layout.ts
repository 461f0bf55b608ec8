// The flow map's layout: a probe's services as boxes (their instances inside as chips) laid left to
// right by dagre, edges between them. Sizes are computed here from the data so that the layout is
// deterministic and testable; the page only draws.
import { Graph, layout, type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import { type FlowEdge, type FlowNode, type ProbeFlow } from '@hoptrace/core/api';

export const NODE_MIN_WIDTH = 160;
export const CHIP_WIDTH = 130;
export const CHIP_HEIGHT = 22;
export const CHIP_GAP = 5;
export const NODE_PADDING = 10;
/** Height of one text line in a box (title, stats, faults, lost). */
export const NODE_LINE = 18;
/** One chip per row keeps boxes narrow: a five-service path fits a 1000px screen. */
export const CHIPS_PER_ROW = 1;

export interface LayoutNodeInput {
  id: string;
  width: number;
  height: number;
  node: FlowNode;
}

export interface LayoutEdgeInput {
  id: string;
  from: string;
  to: string;
  edge: FlowEdge;
}

export interface FlowGraphInput {
  nodes: LayoutNodeInput[];
  edges: LayoutEdgeInput[];
}

/** The text lines of a box: title and stats, then "n faulty" and "n lost here" when there are. */
export function nodeLines(node: FlowNode): number {
  return 2 + (node.faults > 0 ? 1 : 0) + (node.lost > 0 ? 1 : 0);
}

/** Where the chips start: below the text lines. */
export function nodeHeader(node: FlowNode): number {
  return 8 + nodeLines(node) * NODE_LINE + 4;
}

/** The box a service needs: its text lines, then its instance chips in rows of CHIPS_PER_ROW. */
export function nodeSize(node: FlowNode): { width: number; height: number } {
  const chips = node.instances.length;
  const columns = Math.max(1, Math.min(CHIPS_PER_ROW, chips));
  const rows = Math.ceil(chips / CHIPS_PER_ROW);
  const width = Math.max(NODE_MIN_WIDTH, columns * CHIP_WIDTH + (columns - 1) * CHIP_GAP + 2 * NODE_PADDING);
  const chipsHeight = rows > 0 ? rows * CHIP_HEIGHT + (rows - 1) * CHIP_GAP + NODE_PADDING : 0;
  return { width, height: nodeHeader(node) + chipsHeight };
}

/**
 * The layout input of a probe's flow: expected services in path order first (dagre keeps the
 * order of insertion among equals), then services seen off the path; edges whose ends are known.
 */
export function flowGraphInput(flow: ProbeFlow): FlowGraphInput {
  const byService = new Map(flow.nodes.map((n) => [n.service, n]));
  const order = [...flow.path, ...flow.nodes.map((n) => n.service).filter((s) => !flow.path.includes(s))];
  const nodes: LayoutNodeInput[] = [];
  for (const service of [...new Set(order)]) {
    // A service of the path no run reached still gets its box: that is where runs stopped.
    const node = byService.get(service) ?? {
      service,
      expected: true,
      count: 0,
      faults: 0,
      lost: 0,
      worst: 'ok' as const,
      instances: [],
    };
    nodes.push({ id: service, ...nodeSize(node), node });
  }
  const known = new Set(nodes.map((n) => n.id));
  const edges = flow.edges
    .filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to)
    .map((edge) => ({ id: `${edge.from}->${edge.to}`, from: edge.from, to: edge.to, edge }));
  return { nodes, edges };
}

export interface PlacedNode extends LayoutNodeInput {
  /** Top-left corner. */
  x: number;
  y: number;
}

export interface PlacedEdge extends LayoutEdgeInput {
  points: { x: number; y: number }[];
  /** Where the label goes (middle of the edge). */
  labelX: number;
  labelY: number;
}

export interface FlowLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/**
 * Room between ranks for an edge label ("12 runs · p95 38ms", "⊘ 3 lost here"). Labels are not
 * given to dagre as boxes: that would add a rank per edge and double the width.
 */
const RANK_SEP = 136;

/** Lay the graph out left to right. */
export function layoutFlow(input: FlowGraphInput): FlowLayout {
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: RANK_SEP, edgesep: 20, marginx: 4, marginy: 14 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) {
    // Expected edges pull harder, so the path stays a straight line and detours bend around it.
    g.setEdge(e.from, e.to, { weight: e.edge.expected ? 10 : 1 });
  }
  layout(g);
  const nodes = input.nodes.map((n) => {
    const placed = g.node(n.id);
    return { ...n, x: (placed.x ?? 0) - n.width / 2, y: (placed.y ?? 0) - n.height / 2 };
  });
  const edges = input.edges.map((e) => {
    const placed = g.edge(e.from, e.to);
    const points = placed.points ?? [];
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { ...e, points, labelX: mid.x, labelY: mid.y };
  });
  const graph = g.graph();
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges };
}

/** The SVG path of an edge through its points. */
export function edgePath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}
