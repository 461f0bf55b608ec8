// The human-readable report: per handler, one table of the modes with their ratios to bare and to
// plain OpenTelemetry, the same-round ratio ranges (the noise band), what each mode sent and
// counted, the issue-10 targets and a probe hop's own cost; then the notes and the checks.

const fixed = (value, digits) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));
const times = (value) => (value === null || value === undefined ? 'n/a' : `×${value.toFixed(2)}`);
const signedUs = (value) =>
  value === null || value === undefined ? 'n/a' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(0)} µs`;
const timesBand = (b) => (b ? `${times(b.min)}–${times(b.max)}` : 'n/a');
const usBand = (b) => (b ? `${signedUs(b.min)} … ${signedUs(b.max)}` : 'n/a');

function table(rows, indent = '') {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  const line = (row) =>
    indent +
    row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
  const [head, ...body] = rows;
  return [line(head), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

function hopsCell(hops) {
  if (!hops) return '-';
  const reasons = Object.entries(hops.dropped).map(([reason, n]) => `${reason} ${n}`);
  return `${hops.written} / ${hops.droppedTotal}${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
}

/** The main table of one handler: medians, and their ratios to bare and to otel. */
function modesTable(h) {
  return table([
    [
      'mode',
      'req/s',
      'p50 ms',
      'p99 ms',
      'CPU µs/req',
      'peak RSS MiB',
      'req/s vs bare',
      'CPU vs bare',
      'req/s vs otel',
      'CPU vs otel',
    ],
    ...h.modes.map((m) => [
      m.mode,
      fixed(m.reqPerSec, 0),
      fixed(m.p50Ms, 2),
      fixed(m.p99Ms, 2),
      fixed(m.cpuUsPerReq, 0),
      fixed(m.peakRssMiB, 0),
      times(m.vsBare.reqPerSec),
      times(m.vsBare.cpuUsPerReq),
      times(m.vsOtel.reqPerSec),
      times(m.vsOtel.cpuUsPerReq),
    ]),
  ]);
}

function noiseTable(h) {
  return table(
    [
      ['mode', 'req/s vs bare', 'CPU vs bare', 'req/s vs otel', 'CPU vs otel'],
      ...h.modes
        .filter((m) => m.mode !== 'bare')
        .map((m) => [
          m.mode,
          timesBand(m.vsBareRounds.reqPerSec),
          timesBand(m.vsBareRounds.cpuUsPerReq),
          m.mode === 'otel' ? '-' : timesBand(m.vsOtelRounds.reqPerSec),
          m.mode === 'otel' ? '-' : timesBand(m.vsOtelRounds.cpuUsPerReq),
        ]),
    ],
    '  ',
  );
}

function trafficTable(h) {
  return table(
    [
      [
        'mode',
        'requests',
        'err/non-2xx',
        'probes sent',
        'hops written / dropped',
        'probe candidates',
        'spans exported',
      ],
      ...h.modes.map((m) => [
        m.mode,
        m.requests,
        `${m.errors}/${m.non2xx}`,
        m.probesSent,
        hopsCell(m.hops),
        m.hops && m.mode.startsWith('probe-only') ? m.hops.probeCandidates : '-',
        m.spansExported ?? '-',
      ]),
    ],
    '  ',
  );
}

function targetLine(t) {
  const verdict = t.met === null ? 'n/a' : t.met ? 'met' : 'NOT met';
  return (
    `  ${t.what}: ${times(t.value)} (target ${t.atLeast ? '≥' : '≤'} ${times(t.limit)}) ${verdict}` +
    `; same-round ${timesBand(t.sameRound)}`
  );
}

function hopCostLine(c) {
  return `  ${c.what}: ${signedUs(c.us)} = cpu(${c.probes}) − cpu(${c.ordinary}); same-round ${usBand(c.sameRound)}`;
}

function handlerSection(h, config) {
  return [
    '',
    `=== ${h.handler}: ${h.label} ===`,
    '',
    ...modesTable(h),
    '',
    `same-round ratios (min–max over ${config.rounds} rounds; their spread is the noise of this run):`,
    ...noiseTable(h),
    '',
    'traffic of the measured windows (totals over rounds):',
    ...trafficTable(h),
    '',
    'targets (issue 10):',
    ...h.targets.map(targetLine),
    '',
    'probe hop cost (CPU µs per probe request above an ordinary request, medians over rounds):',
    ...h.probeHopCost.map(hopCostLine),
  ];
}

/** The report as lines of text. */
export function formatReport({ summary, config, machine, failures }) {
  return [
    '',
    `hoptrace drop-in overhead — ${machine.date}, ${machine.cpus} × ${machine.cpuModel}, services on Node ` +
      `${machine.serviceNode} (bench on ${machine.node}), load average ${fixed(machine.loadAvg1mAtStart, 1)} at ` +
      `start, ${fixed(machine.loadAvg1mAtEnd, 1)} at end`,
    `${config.connections} connections, ${config.durationS} s per run after ${config.warmupS} s warm-up, ` +
      `${config.rounds} rounds per handler (mode order alternates), medians over rounds`,
    ...summary.flatMap((h) => handlerSection(h, config)),
    '',
    ...config.notes.map((note) => `note: ${note}`),
    '',
    failures.length === 0
      ? 'correctness checks: all passed (speed is reported, never asserted)'
      : ['correctness checks FAILED:', ...failures.map((f) => `  - ${f}`)].join('\n'),
  ];
}
