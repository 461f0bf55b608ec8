// The human-readable report: one table, the per-round ratios, the targets, and what to keep in mind.
import { TARGETS } from './summary.mjs';

const fixed = (value, digits) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));
const times = (value) => (value === null ? 'n/a' : `×${value.toFixed(2)}`);
const percent = (value) => (value === null ? 'n/a' : `${value >= 1 ? '+' : ''}${((value - 1) * 100).toFixed(1)} %`);

function hopsCell(hops) {
  if (!hops) return '-';
  const reasons = Object.entries(hops.dropped).map(([reason, n]) => `${reason} ${n}`);
  return `${hops.written} / ${hops.droppedTotal}${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  const line = (row) =>
    row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])));
  const [head, ...body] = rows;
  return [line(head).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map((r) => line(r).join('  '))];
}

/** The report as lines of text. */
export function formatReport({ summary, config, machine, failures }) {
  const rows = [
    [
      'mode',
      'req/s',
      'vs base',
      'p50 ms',
      'p99 ms',
      'vs base',
      'CPU µs/req',
      'vs base',
      'peak RSS MiB',
      'err/non-2xx',
      'hops written / dropped',
    ],
    ...summary.map((s) => [
      s.mode,
      fixed(s.reqPerSec, 0),
      times(s.ratio.reqPerSec),
      fixed(s.p50Ms, 2),
      fixed(s.p99Ms, 2),
      times(s.ratio.p99Ms),
      fixed(s.cpuUsPerReq, 0),
      times(s.ratio.cpuUsPerReq),
      fixed(s.peakRssMiB, 0),
      `${s.errors}/${s.non2xx}`,
      hopsCell(s.hops),
    ]),
  ];
  const lines = [
    '',
    `hoptrace drop-in overhead — ${machine.date}, ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ` +
      `load average ${fixed(machine.loadAvg1mAtStart, 1)} at start, ${fixed(machine.loadAvg1mAtEnd, 1)} at end`,
    `POST /quote, ${config.connections} connections, ${config.durationS} s per run after ${config.warmupS} s warm-up, ` +
      `${config.rounds} rounds (order alternates), medians over rounds; ratios against the baseline of this run`,
    '',
    ...table(rows),
    '',
    'same-round ratios (req/s | p99), one per round, then their median — their spread is the noise of this run:',
    ...summary
      .filter((s) => s.mode !== 'baseline')
      .map(
        (s) =>
          `  ${s.mode.padEnd(18)} ${s.roundRatios.reqPerSec.map(times).join(' ')} (median ${times(s.roundRatioMedian.reqPerSec)})` +
          `  |  ${s.roundRatios.p99Ms.map(times).join(' ')} (median ${times(s.roundRatioMedian.p99Ms)})`,
      ),
    '',
    `targets (RELIABILITY.md §5.3): throughput ≥ ${times(TARGETS.minReqPerSecRatio)}, p99 ≤ ${times(TARGETS.maxP99Ratio)} of baseline`,
    ...summary
      .filter((s) => s.targets)
      .map(
        (s) =>
          `  ${s.mode.padEnd(18)} throughput ${percent(s.ratio.reqPerSec)} ${s.targets.throughput ? 'met' : 'NOT met'}, ` +
          `p99 ${percent(s.ratio.p99Ms)} ${s.targets.p99 ? 'met' : 'NOT met'}, ` +
          `+${fixed(s.addedCpuUsPerReq, 0)} µs CPU per request`,
      ),
    '',
    ...config.notes.map((note) => `note: ${note}`),
    '',
    failures.length === 0
      ? 'correctness checks: all passed (speed is reported, never asserted)'
      : ['correctness checks FAILED:', ...failures.map((f) => `  - ${f}`)].join('\n'),
  ];
  return lines;
}
