// Command-line options of bench/dashboard-live.mjs.
import { VARIANTS } from './live-page.mjs';

export const LIVE_USAGE = `usage: node bench/dashboard-live.mjs [options]   (after pnpm build)
  --rate N        runs fired per second through the API while live (default 50)
  --seconds N     seconds measured per window (default 20; --quick: 6)
  --rounds N      idle and live windows per page, alternating which comes first (default 3; --quick: 1)
  --warmup N      seconds of traffic before the first window, to fill the strips and the runs list
                  and warm the servers up (default 20; --quick: 15)
  --pages LIST    pages measured, comma-separated: ${Object.keys(VARIANTS).join(', ')} (default: all)
  --profile       after the rounds, one more live window per page under chromium's JS sampling
                  profiler and a DevTools trace: where the page's main thread spent its time
  --baseline-hops leave the shop's hop without a budget: the Oamserver judges it against its learned
                  baseline, as it does the demo's unbudgeted hops (costlier per run for the server)
  --server-prof   run the Oamserver under node --cpu-prof and say where its CPU went during the
                  live windows, per classified run (the .cpuprofile stays in a temporary folder)
  --quick         a smoke run (see above); writes bench/results/dashboard-live-quick.tmp.json
  --out FILE      the JSON result (default bench/results/dashboard-live.json)
  --section FILE  the markdown section for docs/dashboard-performance.md
                  (default .tmp/dashboard-live-section.md; with --quick, .tmp/dashboard-live-section-quick.md)
  --help          this text

Starts a small order service under the hoptrace drop-in and an Oamserver with ten probes through
it, fires runs through POST /api/probes/<name>/runs, opens the dashboard in Debian's chromium
and measures, inside the page, frame intervals, long tasks, whether what the reader looks at
moves, errors and the runs shown arriving, with live traffic and without (the baseline), in
alternating windows. Stops everything it started and deletes its Redis keys at the end, also on
failure and Ctrl-C. Exit code: 0 when every live window met every criterion and the rate was
sustained, 1 when not (or a window could not be measured), 2 for bad options or no Redis, 130 on Ctrl-C.`;

function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number, got "${raw}"`);
  return value;
}

/** Parses argv (without node and the script). Throws an Error with a message for the user. */
export function parseLiveArgs(argv) {
  const options = {
    rate: 50,
    seconds: 20,
    rounds: 3,
    warmup: 20,
    pages: Object.keys(VARIANTS),
    profile: false,
    serverProf: false,
    baselineHops: false,
    quick: false,
    out: undefined,
    section: undefined,
    help: false,
  };
  const numeric = { '--rate': 'rate', '--seconds': 'seconds', '--rounds': 'rounds', '--warmup': 'warmup' };
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--') continue;
    if (flag === '--quick') options.quick = true;
    else if (flag === '--profile') options.profile = true;
    else if (flag === '--server-prof') options.serverProf = true;
    else if (flag === '--baseline-hops') options.baselineHops = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag in numeric || flag === '--out' || flag === '--section' || flag === '--pages') {
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--out') options.out = raw;
      else if (flag === '--section') options.section = raw;
      else if (flag === '--pages') {
        const pages = raw.split(',').map((p) => p.trim());
        const unknown = pages.filter((p) => !(p in VARIANTS));
        if (unknown.length > 0 || pages.length === 0)
          throw new Error(`--pages takes ${Object.keys(VARIANTS).join(', ')}; got "${raw}"`);
        options.pages = pages;
      } else options[numeric[flag]] = positiveInt(flag, raw);
      given.add(flag);
    } else throw new Error(`unknown option "${argv[i]}"`);
  }
  if (options.quick) {
    if (!given.has('--seconds')) options.seconds = 6;
    if (!given.has('--rounds')) options.rounds = 1;
    if (!given.has('--warmup')) options.warmup = 15;
  }
  if (options.rate > 500) throw new Error('--rate goes up to 500');
  return options;
}
