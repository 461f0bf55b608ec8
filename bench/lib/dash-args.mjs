// Command-line options of bench/dashboard-api.mjs.

export const DASH_USAGE = `usage: node bench/dashboard-api.mjs [options]   (after pnpm build)
  --runs N          classified runs to seed (default 100000; --quick: 10000)
  --probes N        probes they are spread over (default 20)
  --requests N      timed requests per route, after the warm-ups (default 30; --quick: 15)
  --warmups N       untimed requests per route first (default 3)
  --concurrency N   runs being written at once while seeding (default 200)
  --quick           a smoke run: 10000 runs, 15 requests per route
  --cpu-prof        run the Oamserver under node --cpu-prof, then time 20 more requests of each
                    route and say where its CPU time went in each (the .cpuprofile stays in a
                    temporary folder, named in the output)
  --out FILE        where to write the JSON result (default bench/results/dashboard-api.json;
                    with --quick, bench/results/dashboard-api-quick.tmp.json, which git ignores)
  --help            this text

Seeds a day of classified runs under a private key prefix the way the Oamserver stores them,
starts \`hoptrace serve\` on it, waits until it has read the day back, then times the dashboard's
API routes (Server-Timing and round trip). Deletes the keys and stops the server at the end, also
on failure and Ctrl-C. See docs/dashboard-performance.md.`;

function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number, got "${raw}"`);
  return value;
}

/** Parses argv (without node and the script). Throws an Error with a message for the user. */
export function parseDashArgs(argv) {
  const options = {
    runs: 100_000,
    probes: 20,
    requests: 30,
    warmups: 3,
    concurrency: 200,
    quick: false,
    cpuProf: false,
    out: undefined,
    help: false,
  };
  const numeric = {
    '--runs': 'runs',
    '--probes': 'probes',
    '--requests': 'requests',
    '--warmups': 'warmups',
    '--concurrency': 'concurrency',
  };
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--') continue;
    if (flag === '--quick') options.quick = true;
    else if (flag === '--cpu-prof') options.cpuProf = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag in numeric || flag === '--out') {
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--out') options.out = raw;
      else options[numeric[flag]] = positiveInt(flag, raw);
      given.add(flag);
    } else throw new Error(`unknown option "${argv[i]}"`);
  }
  if (options.quick) {
    if (!given.has('--runs')) options.runs = 10_000;
    if (!given.has('--requests')) options.requests = 15;
  }
  if (options.probes > options.runs) throw new Error('--probes must not exceed --runs');
  if (options.runs > 1_000_000) throw new Error('--runs goes up to 1000000 (storage.maxRuns)');
  return options;
}
