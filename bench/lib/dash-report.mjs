// The table bench/dashboard-api.mjs prints, and its verdict against the target.

/** The target of issue 9: server time of the overview's first render and of a runs page. */
export const TARGET_MS = 300;

/** PASS when the p95 of the route's server time is under the target; null for routes without one. */
export function targetVerdict(route) {
  if (!route.target || route.server.n === 0) return null;
  return route.server.p95 < TARGET_MS ? 'PASS' : 'FAIL';
}

const num = (v, width = 7) => (v === undefined || v === null ? '-' : String(v)).padStart(width);

function answerText(answer = {}) {
  if (answer.runs !== undefined) {
    return `${answer.runs} runs, scanned ${answer.scanned}${answer.partial ? ', partial' : ''}${answer.hasNext ? '' : ', last page'}`;
  }
  if (answer.cells !== undefined) {
    return `${answer.probes} probes, ${answer.cells} cells, ${answer.runsCounted} runs counted, ${answer.openIncidents} open incidents, ${answer.markers} markers`;
  }
  if (answer.runsMapped !== undefined) return `${answer.probes} probes, ${answer.runsMapped} runs mapped`;
  if (answer.incidents !== undefined) return `${answer.incidents} incidents`;
  if (answer.verdict !== undefined) return `${answer.verdict}, ${answer.hops} hops`;
  return '';
}

/** The report's lines. */
export function formatDashReport({ machine, config, seeding, storage, server, routes, walk, redisCost, failures }) {
  const lines = [];
  lines.push(
    '',
    `dashboard API with ${storage.storedRuns} stored runs (ZCARD of the recent index) across ${config.probes} probes, ` +
      `${seeding.incidents.total} incidents (${seeding.incidents.open} open)`,
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${storage.redisVersion}, ` +
      `load ${machine.loadAvg1mAtStart.toFixed(2)} → ${machine.loadAvg1mAtEnd?.toFixed(2)}; commit ${machine.commit}`,
    `seeding: ${seeding.runs} runs in ${(seeding.runsMs / 1000).toFixed(1)} s (${seeding.runsPerSecond} runs/s, ` +
      `${config.concurrency} in flight), ${seeding.incidents.total} incidents in ${(seeding.incidentsMs / 1000).toFixed(1)} s; ` +
      `Redis used_memory ${storage.redisUsedMiBBefore} → ${storage.redisUsedMiBAfter} MiB`,
    `Oamserver built from ${server.source.commit}` +
      (server.source.uncommittedFiles.length > 0
        ? ` plus ${server.source.uncommittedFiles.length} uncommitted files (${server.source.uncommittedFiles.join(', ')})`
        : '') +
      `: /readyz after ${(server.readyMs / 1000).toFixed(1)} s, the day read back (24h overview counts ` +
      `${server.countedRuns} runs) after ${(server.warmMs / 1000).toFixed(1)} s; RSS ${server.memoryAfterWarmup.rss} MiB ` +
      `after the warm-up (peak ${server.memoryAfterWarmup.peak}), ${server.memoryAtEnd.rss} MiB at the end (peak ${server.memoryAtEnd.peak}); ` +
      `${server.runsFiredDuringBench} runs fired by it during the bench`,
    '',
    `${config.requests} timed requests per route after ${config.warmups} warm-ups, one at a time, routes interleaved; ` +
      `server = Server-Timing app;dur, round trip = client fetch to body read (ms); CPU ms = the Oamserver ` +
      `process's CPU time per request (mean)`,
    '',
  );
  const header = [
    'route'.padEnd(44),
    'server: median'.padStart(15),
    'p95'.padStart(7),
    'max'.padStart(7),
    '  round trip: median'.padStart(21),
    'p95'.padStart(7),
    'max'.padStart(7),
    'KiB'.padStart(6),
    'CPU ms'.padStart(7),
    '  target',
    '  answer',
  ].join(' ');
  lines.push(header, '-'.repeat(header.length + 30));
  const row = (label, r, verdict, kib, answer, cpuMs) =>
    [
      label.padEnd(44),
      num(r.server.median, 15),
      num(r.server.p95),
      num(r.server.max),
      num(r.client.median, 21),
      num(r.client.p95),
      num(r.client.max),
      num(kib, 6),
      num(cpuMs),
      `  ${(verdict ?? '-').padEnd(6)}`,
      `  ${answer}`,
    ].join(' ');
  for (const r of routes) {
    lines.push(
      row(
        `${r.label}${r.extra ? ' (extra)' : ''}`,
        r,
        targetVerdict(r),
        Math.round((r.bytes ?? 0) / 102.4) / 10,
        answerText(r.answer),
        r.cpuMsPerRequest,
      ),
    );
  }
  if (walk) {
    lines.push(
      row(
        `runs pages 1-${walk.pages} walking next (n=${walk.pages})`,
        walk,
        walk.server.p95 < TARGET_MS ? 'PASS' : 'FAIL',
        undefined,
        `${walk.runs} runs`,
      ),
    );
  }
  lines.push(
    '',
    "Redis commands per request (MONITOR, commands on this bench's keys, 5 requests of each route) and Redis time " +
      '(estimate: their count × mean µs per call from INFO commandstats):',
  );
  for (const r of routes) {
    const cost = redisCost?.[r.id];
    if (!cost) continue;
    const top = Object.entries(cost.byCommand)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    lines.push(
      `  ${r.label.padEnd(42)} ${num(cost.commandsPerRequest, 7)} commands, Redis ${cost.redisMsPerRequest} ms: ${top}`,
    );
  }
  const missed = (extra) =>
    routes
      .filter((r) => r.extra === extra && targetVerdict(r) === 'FAIL')
      .map((r) => `${r.label} (p95 ${r.server.p95} ms)`);
  const listed = missed(false);
  lines.push(
    '',
    listed.length === 0
      ? `target met: the overview and every listed runs page answered with a p95 server time under ${TARGET_MS} ms`
      : `target NOT met (p95 server time ≥ ${TARGET_MS} ms): ${listed.join('; ')}`,
  );
  const extra = missed(true);
  if (extra.length > 0) lines.push(`beyond the listed pages, also ≥ ${TARGET_MS} ms: ${extra.join('; ')}`);
  if (failures.length > 0) lines.push('', 'FAILURES:', ...failures.map((f) => `  - ${f}`));
  return lines;
}
