// The markdown section "Live updates in the browser" that bench/dashboard-live.mjs writes for
// docs/dashboard-performance.md: what was measured, against what, the figures of this run, and
// its caveats. Links are relative to docs/.
import { relative } from 'node:path';
import { SMOOTH } from './live-report.mjs';

const x = (r) => (r === null || r === undefined ? '–' : `×${r.toFixed(2)}`);
const times = (n) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);
const v = (n) => (n === null || n === undefined ? '–' : String(n));

/** Figures shown in the section's tables, by their name in summarizeLive's figures. */
const SHOWN = [
  ['fps', 'frames per second'],
  ['frame median ms', 'frame interval, median (ms)'],
  ['frame p95 ms', 'frame interval, p95 (ms)'],
  ['frame p99 ms', 'frame interval, p99 (ms)'],
  ['frame max ms', 'frame interval, max (ms)'],
  ['frames > 50 ms %', 'frames over 50 ms (%)'],
  ['long tasks', 'long tasks (count)'],
  ['long task total ms', 'long tasks, total (ms)'],
  ['long task max ms', 'longest task (ms)'],
  ['main thread busy ms/s', 'main thread busy (ms of CPU per s)'],
  ['script ms/s', '… of which script'],
  ['layout ms/s', '… layout'],
  ['style ms/s', '… style'],
  ['renderer CPU ms/s', "page's renderer process CPU (ms per s)"],
  ['Oamserver CPU ms/s', 'Oamserver CPU (ms per s)'],
  ['machine busy %', 'machine CPU busy (%)'],
];

function pageTable(page) {
  const byName = new Map(page.figures.map((f) => [f.name, f]));
  const rows = [
    '| figure | idle | live | live / idle | same-round ratios |',
    '| ------ | ---: | ---: | ----------: | ----------------- |',
  ];
  for (const [name, label] of SHOWN) {
    const f = byName.get(name);
    if (!f) continue;
    rows.push(
      `| ${label} | ${v(f.idle)} | ${v(f.live)} | ${x(f.ratio)} | ${f.sameRound.map((r) => (r === null ? '–' : `×${r.toFixed(2)}`)).join(' ')} |`,
    );
  }
  return rows;
}

function arrivalsText(page) {
  return page.shown
    .map((a) =>
      a.waitingButton
        ? `the button read "Show ${a.waitingButton.count.toLocaleString('en-US')} new runs${a.waitingButton.capped ? ' (and more)' : ''}", ${a.shown} rows added`
        : `${a.shown} shown of ${a.pageReceived} received`,
    )
    .join('; ');
}

function failuresText(list, what) {
  const bad = list.filter((f) => f.failures.length > 0);
  if (bad.length === 0) return [];
  return bad.map((f) => `  - ${what} round ${f.round + 1}: ${f.failures.join('; ')}`);
}

function profileLines(profiles) {
  const lines = [];
  for (const p of profiles ?? []) {
    const main = p.trace.main;
    if (!main) continue;
    const top = main.self
      .filter(
        (e) =>
          !/^(RunTask|ThreadControllerImpl::RunTask|Receive mojo message|SimpleWatcher::OnHandleReady)$/.test(e.name),
      )
      .slice(0, 7)
      .map((e) => `${e.name} ${Math.round(e.ms)} ms`)
      .join(', ');
    const tasks = main.longTasks.filter(
      (t) => !t.parts.some((part) => part.name === 'Receive mojo message' && part.ms > t.ms / 2),
    );
    const typical = tasks.length
      ? `${tasks.length} tasks over 50 ms; e.g. ${tasks
          .slice(0, 3)
          .map(
            (t) =>
              `${Math.round(t.ms)} ms (ran ${t.threadMs === null ? '?' : Math.round(t.threadMs)} ms): ${t.parts
                .slice(0, 4)
                .map((part) => `${part.name} ${Math.round(part.ms)}`)
                .join(', ')}`,
          )
          .join('; ')}`
      : 'no task over 50 ms';
    lines.push(
      `- **${p.variant}** (${p.seconds} s live under the trace; the trace itself slows the page down): the main thread was busy ` +
        `${Math.round(main.busyMs)} ms and ran ${Math.round(main.busyThreadMs)} ms of it (the rest it waited for a core). ` +
        `By self time: ${top}.` +
        (main.layouts
          ? ` ${main.layouts.count} layouts, median ${main.layouts.medianMs} ms, ${main.layouts.medianDirtyObjects} of ` +
            `${main.layouts.medianTotalObjects} layout objects dirty.`
          : '') +
        ` ${typical}. JS by area (self, ms): ${p.js.areas
          .filter((a) => !a.name.startsWith('('))
          .slice(0, 6)
          .map((a) => `${a.name} ${Math.round(a.ms)}`)
          .join(', ')}.`,
    );
  }
  return lines;
}

/** The section, as markdown text. */
export function formatLiveSection(result) {
  const { machine, config, summary, traffic, failures, warmUp, repoDir } = result;
  const outRel = relative(`${repoDir}/docs`, result.out);
  const rate = config.rate;
  const sustained = traffic.classifiedPerS.median !== null && traffic.classifiedPerS.median >= 0.95 * rate;
  const lines = [
    '## Live updates in the browser',
    '',
    `Issue 9 asks that "the page stays smooth while live updates arrive at ${rate} runs/s".`,
    '[`bench/dashboard-live.mjs`](../bench/dashboard-live.mjs) measures it end to end, with a real Oamserver classifying real runs and',
    "the dashboard in Debian's chromium:",
    '',
    `- **The platform.** A small order service on \`node:http\` under the hoptrace drop-in ([\`bench/lib/live-target.mjs\`](../bench/lib/live-target.mjs)):`,
    `  two \`shop\` instances in front of one \`stock\`, so every run has two real hops. About 10 % of requests misbehave, drawn`,
    `  at random with a fixed seed: ${config.faults}. The Oamserver has ${config.probes.length} probes through it`,
    `  (\`path: [${config.path.join(', ')}]\`, \`timeout: ${config.timeoutMs / 1000}s\`, budgets ${Object.entries(
      config.budget.hopsMs,
    )
      .map(([s, ms]) => `${s} ${ms} ms`)
      .join(', ')}, total ${config.budget.totalMs} ms), on schedules that fire none of them during the bench.`,
    `- **The traffic.** While "live", the bench fires ${rate} runs/s through \`POST /api/probes/<name>/runs\`, evenly spread, round robin`,
    '  over the probes, without waiting for answers, and counts the `run` events on its own `GET /api/events` stream.',
    `  Before the first window, ${config.warmupS} s of the same traffic fill every strip (60 cells) and the runs list.`,
    `- **The pages**, each in a fresh tab (${config.viewport.width}×${config.viewport.height}, headless, software rendering): ${config.pages
      .map((p) => p.label)
      .join('; ')}.`,
    `- **The windows.** Each page is measured ${times(config.rounds)} idle (the same page and history, no traffic: the baseline) and`,
    `  ${times(config.rounds)} live, idle first in odd rounds and live first in even ones. A window: open the page, wait for its data`,
    `  and the stream, scroll, ${config.settleS} s to settle, start recording, start the traffic (live), ${config.rampS} s for the`,
    `  runs to flow at full rate, then ${config.seconds} s measured.`,
    '- **Inside the page**: frame intervals from `requestAnimationFrame`; long tasks (`PerformanceObserver`, `longtask`); page',
    '  errors, unhandled rejections and console errors; the element in the middle of the screen (a probe block, a table row), whose',
    '  place on screen is checked every frame from before the traffic starts; the strip cells or rows whose run was not on the page',
    '  before (the runs shown arriving); and the `run` events its `EventSource` received (counted by a listener the bench adds).',
    "- **Outside**: the main thread's time by kind (`Performance.getMetrics` over the DevTools protocol, in thread time), and CPU",
    "  time from `/proc/<pid>/stat` of the Oamserver, the services, every chromium process (by type) and the bench, with Redis's",
    '  from `INFO cpu`.',
    '',
    '### What "smooth" is judged against',
    '',
    `Every live window must have: a median frame interval of at most ${SMOOTH.frameMedianMaxMs} ms (a 60 Hz page draws every`,
    `16.7 ms); a p95 under ${SMOOTH.frameP95MaxMs} ms (a stall of 50 ms or more is a visible hitch); no long task over`,
    `${SMOOTH.longTaskMaxMs} ms (input would wait that long); what the reader looks at unmoved (not one frame with the middle`,
    'element more than 1 px off its place, where the page promises it: not at the top of the runs list, where new rows are meant',
    `to push it down); no error; and at least ${Math.round(SMOOTH.shownMinShare * 100)} % of the runs the page received shown (where it shows them).`,
    'Ratios are live / idle from the same run (the medians over rounds, then each round against its own idle window).',
    '',
    '### Results',
    '',
    `Run of ${machine.date.slice(0, 16).replace('T', ' ')} UTC: \`${config.command}\` (after \`pnpm build\`), file`,
    `[${outRel.replace(/^\.\.\//, '')}](${outRel}). ${machine.cpus} shared vCPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB,`,
    `Node ${machine.node}, ${machine.chromium}; load average ${machine.loadAvg1mAtStart.toFixed(1)} at the start,`,
    `${machine.loadAvg1mAtEnd?.toFixed(1)} at the end, up to ${machine.loadAvg1mMaxInWindows?.toFixed(1)} at the end of a window (other`,
    `users' work: see "machine CPU busy" in the idle columns); commit ${machine.commit}, dashboard \`${machine.dashboard?.script}\`` +
      (machine.dashboard?.changedSources?.length
        ? ` built from uncommitted changes to ${machine.dashboard.changedSources.map((f) => `\`${f}\``).join(', ')}.`
        : '.'),
    '',
    sustained
      ? `**Rate.** The platform sustained the rate: ${traffic.classifiedPerS.median} classified runs/s received on the stream during the live`
      : `**Rate.** The machine did NOT sustain ${rate} runs/s end to end: ${traffic.classifiedPerS.median} classified runs/s received on the stream during the live`,
    `windows (median; min ${traffic.classifiedPerS.min}, max ${traffic.classifiedPerS.max}), ${traffic.firedPerS.median} fired/s. From firing to the event: p50`,
    `${traffic.lagMs.p50} ms, p95 ${traffic.lagMs.p95} ms (medians over windows; max ${traffic.lagMs.max} ms). Verdicts of all runs: ${Object.entries(
      traffic.verdicts,
    )
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(
        ', ',
      )}. The Oamserver used ${traffic.oamserverCpuMsPerRun} ms of CPU per classified run, the three services`,
    `${traffic.targetsCpuMsPerRun} ms together (medians over the live windows).` +
      (warmUp ? ` During the ${warmUp.seconds} s warm-up: ${warmUp.classifiedPerS} classified runs/s.` : ''),
    '',
  ];
  for (const page of summary) {
    lines.push(`**${page.label}: ${page.verdict}.**`, '');
    lines.push(...pageTable(page), '');
    lines.push(
      `Runs arriving on the page in the live windows: ${arrivalsText(page)}` +
        (page.variant === 'overview'
          ? ' (a cell counts once per run; the throttled refetch also brings cells of runs still pending, so shown may exceed received).'
          : '.'),
    );
    const scroll =
      page.variant === 'runs-top'
        ? 'Scroll: not judged (at the top of the list new rows push it down, by design).'
        : page.scrollMoved
          ? 'Scroll: what the reader looked at MOVED in a live window (see the failures below).'
          : 'Scroll: what the reader looked at did not move by 1 px in any frame of any window.';
    lines.push(
      `${scroll} Errors: ${page.errors.length === 0 ? 'none' : [...new Set(page.errors)].slice(0, 3).join(' | ')}.`,
    );
    const bad = [
      ...failuresText(page.liveFailures, 'live'),
      ...failuresText(page.idleFailures, 'idle (a check on the machine)'),
    ];
    if (bad.length) lines.push('', 'Windows that missed a criterion:', '', ...bad);
    lines.push('');
  }
  const profiles = profileLines(result.profiles);
  if (profiles.length) {
    lines.push(
      '### Where the page spends its time',
      '',
      `With \`--profile\`: after the rounds, one more live window per page under chromium's DevTools trace and JS sampling profiler`,
      "(minified functions named through a source map of the same build). Times are the renderer's main thread's:",
      '',
      ...profiles,
      '',
    );
  }
  if (result.serverProfile) {
    const sp = result.serverProfile;
    lines.push(
      "### Where the Oamserver's CPU goes",
      '',
      `With \`--server-prof\` (\`node --cpu-prof\`), over the live windows: ${sp.busyMsPerRun} ms of CPU per classified run. By area:`,
      `${sp.byArea
        .slice(0, 6)
        .map((a) => `${a.name} ${a.share} %`)
        .join(', ')}; by function: ${sp.byFunction
        .slice(0, 6)
        .map((f) => `\`${f.name}\` ${f.share} %`)
        .join(', ')}.`,
      '',
    );
  }
  lines.push(
    '### Caveats',
    '',
    '- Headless chromium with `--disable-gpu`: compositing and raster run in software on the same two cores as everything else. A',
    "  desktop browser with a GPU paints and rasterises far more cheaply; the main thread's own work (script, style, layout) is the",
    '  figure that carries over best.',
    '- One shared, noisy 2-vCPU VM runs the Oamserver, the three services, Redis, chromium and the bench (and whatever else runs on',
    '  it: "machine CPU busy" in idle windows is other work). Live windows therefore also measure a machine busy with classifying',
    "  runs, which a user's browser on another machine would not share: the main thread's thread time (ms of CPU per s) is the",
    "  page's own cost; long tasks and frame intervals are wall time and include waiting for a core.",
    '- Ratios against figures near zero (long tasks, layout when idle) are not shown; the absolute figures are.',
    '- The history grows during the bench (each live window adds its runs); the pages shown have the same shape throughout (full',
    '  strips, 50 then up to 100 rows), which is what their cost depends on.',
    '- The bench adds a little to the page: a `requestAnimationFrame` loop (it makes the page draw every frame, idle or live),',
    "  a `getBoundingClientRect` per frame, a mutation observer and an event counter on the page's `EventSource`. The same in",
    '  idle and live windows.',
  );
  // Failures of single windows are listed with their page above; the others (rate, rebuilds...) here.
  const pageIds = new Set(summary.map((p) => p.variant));
  const other = failures.filter((f) => !pageIds.has(f.split(' ')[0]));
  if (other.length > 0) lines.push('', 'Other failures reported by this run:', '', ...other.map((f) => `- ${f}`));
  lines.push(
    '',
    '### How to run',
    '',
    '```sh',
    'pnpm build',
    `node bench/dashboard-live.mjs                  # about ${Math.ceil((config.pages.length * config.rounds * 2 * (config.seconds + 10) + config.warmupS + 30) / 60)} minutes`,
    'node bench/dashboard-live.mjs --quick          # a smoke run: one round of 6 s windows',
    'node bench/dashboard-live.mjs --profile        # and then where the page spends its time',
    'node bench/dashboard-live.mjs --help',
    '```',
    '',
    'Options: `--rate N` (default 50), `--seconds N` (default 20), `--rounds N` (default 3), `--warmup N` (default 20), `--pages',
    'overview,runs-top,runs-middle`, `--profile`, `--server-prof`, `--baseline-hops`, `--out FILE`, `--section FILE`. It needs Redis',
    '(`REDIS_URL`, else 127.0.0.1:6379, else a private `redis-server`) and `/usr/bin/chromium`. Keys go under a random',
    '`hoptrace-live:<hex>:` prefix, deleted at the end with `SCAN` + `UNLINK`; the services, the Oamserver and chromium are stopped,',
    'also on failure and Ctrl-C. Exit code 0 when every live window met every criterion and the rate was sustained, 1 otherwise, 2',
    'for bad options or no Redis.',
    '',
  );
  return `${lines.join('\n')}\n`;
}
