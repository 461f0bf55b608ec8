import { type FlowInstance, type ProbeFlow } from '@hoptrace/core/api';
import { useMemo } from 'preact/hooks';
import {
  CHIP_GAP,
  CHIP_HEIGHT,
  CHIP_WIDTH,
  CHIPS_PER_ROW,
  NODE_LINE,
  NODE_PADDING,
  nodeHeader,
  edgePath,
  flowGraphInput,
  layoutFlow,
  type PlacedEdge,
  type PlacedNode,
} from '../lib/flow-layout';
import { formatDuration, plural } from '../lib/format';
import { runsHref } from '../lib/runs-filter';
import { FAULT_VERDICTS, verdictStyle } from '../lib/verdicts';

function instanceLabel(service: string, i: FlowInstance): string {
  const style = verdictStyle(i.worst);
  const parts = [`${service} instance ${i.instance}`, plural(i.count, 'run')];
  if (i.faults > 0) parts.push(`${plural(i.faults, 'fault')}, worst ${style.word}`);
  else parts.push('no fault');
  if (i.p95Ms !== undefined) parts.push(`p95 ${formatDuration(i.p95Ms)}`);
  return `${parts.join(', ')}. Open its runs`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function Node({ probe, placed }: { probe: string; placed: PlacedNode }) {
  const { node } = placed;
  const worst = verdictStyle(node.worst);
  const cls = [
    'node',
    node.expected ? '' : 'node-unexpected',
    node.lost > 0 ? 'node-lost' : '',
    node.count === 0 ? 'node-unreached' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const stats = [plural(node.count, 'run'), node.p95Ms !== undefined ? `p95 ${formatDuration(node.p95Ms)}` : '']
    .filter(Boolean)
    .join(' · ');
  // Everything the box shows is also in the link's name: colour is never the only carrier.
  const serviceLabel = `${node.service}${node.expected ? '' : ' (not in the expected path)'}: ${stats}${
    node.faults > 0 ? `, ${plural(node.faults, 'fault')}, worst ${worst.word}` : ''
  }${node.lost > 0 ? `, ${node.lost} lost here` : ''}. Open its runs`;
  // Text lines: title, stats, then "n faulty" and "n lost here" when there are (see nodeLines).
  const lineY = (n: number) => 8 + n * NODE_LINE - 5;
  const faultLine = 3;
  const lostLine = node.faults > 0 ? 4 : 3;
  const header = nodeHeader(node);
  return (
    <g class={cls} transform={`translate(${placed.x},${placed.y})`}>
      <rect class="node-box" width={placed.width} height={placed.height} rx="6" />
      <a href={runsHref({ probe, service: node.service })} aria-label={serviceLabel} class="node-link">
        <rect class="hit" width={placed.width} height={NODE_LINE + 10} rx="6" />
        <text x={NODE_PADDING} y={lineY(1)} class="node-title">
          {truncate(node.service, 18)}
        </text>
      </a>
      <text x={NODE_PADDING} y={lineY(2)} class="node-stats">
        {stats}
      </text>
      {node.faults > 0 && (
        <a
          href={runsHref({ probe, service: node.service, verdicts: [...FAULT_VERDICTS] })}
          aria-label={`${node.faults} faulty · failures only, at ${node.service} (worst ${worst.word})`}
          class="node-faults"
        >
          <text x={NODE_PADDING} y={lineY(faultLine)}>
            <tspan aria-hidden="true">{worst.icon} </tspan>
            {node.faults} faulty · failures
          </text>
        </a>
      )}
      {node.lost > 0 && (
        <text x={NODE_PADDING} y={lineY(lostLine)} class="node-lost-text" aria-hidden="true">
          ⊘ {node.lost} lost here
        </text>
      )}
      {node.instances.map((inst, i) => {
        const col = i % CHIPS_PER_ROW;
        const row = Math.floor(i / CHIPS_PER_ROW);
        const style = verdictStyle(inst.worst);
        return (
          <a
            key={inst.instance}
            href={runsHref({ probe, service: node.service, instance: inst.instance })}
            aria-label={instanceLabel(node.service, inst)}
            class={`inst ${style.className}`}
          >
            <title>{instanceLabel(node.service, inst)}</title>
            <g
              transform={`translate(${NODE_PADDING + col * (CHIP_WIDTH + CHIP_GAP)},${header + row * (CHIP_HEIGHT + CHIP_GAP)})`}
            >
              <rect class="inst-box" width={CHIP_WIDTH} height={CHIP_HEIGHT} rx="4" />
              <text x="7" y="15" class="inst-icon">
                {style.icon}
              </text>
              <text x="20" y="15" class="inst-name">
                {truncate(inst.instance, 16)}
              </text>
            </g>
          </a>
        );
      })}
    </g>
  );
}

function Edge({ placed }: { placed: PlacedEdge }) {
  const { edge } = placed;
  const cls = `edge${edge.expected ? '' : ' edge-unexpected'}${edge.lost > 0 ? ' edge-lost' : ''}`;
  const label = `${plural(edge.count, 'run')}${edge.p95Ms !== undefined ? ` · p95 ${formatDuration(edge.p95Ms)}` : ''}`;
  return (
    <g class={cls}>
      <path d={edgePath(placed.points)} marker-end={edge.lost > 0 ? 'url(#arrow-lost)' : 'url(#arrow)'} />
      <text x={placed.labelX} y={placed.labelY - 4} text-anchor="middle" class="edge-label">
        {label}
      </text>
      {edge.lost > 0 && (
        <text x={placed.labelX} y={placed.labelY + 13} text-anchor="middle" class="edge-lost-label">
          ⊘ {edge.lost} lost here
        </text>
      )}
    </g>
  );
}

/** A probe's flow as an SVG graph: services left to right, instances inside, edges labelled. */
export function FlowGraph({ flow }: { flow: ProbeFlow }) {
  const layout = useMemo(() => layoutFlow(flowGraphInput(flow)), [flow]);
  return (
    <div class="flow-scroll">
      <svg
        class="flow"
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-label={`Flow of ${flow.probe}: ${flow.path.join(' → ')}`}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="arrow" />
          </marker>
          <marker id="arrow-lost" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="arrow-lost" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <Edge key={e.id} placed={e} />
        ))}
        {layout.nodes.map((n) => (
          <Node key={n.id} probe={flow.probe} placed={n} />
        ))}
      </svg>
    </div>
  );
}
