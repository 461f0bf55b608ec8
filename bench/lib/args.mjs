// Command-line options of bench/run.mjs.

export const USAGE = `usage: pnpm bench [-- options]
  --duration N     seconds of measured load per mode and round (default 10)
  --quick          3 s per mode and round, 2 s warm-up (a smoke run: noisier, and the instrumented
                   modes are not fully warm yet, so it overstates their cost)
  --rounds N       times the four modes are run, alternating their order (default 3)
  --connections N  concurrent connections of the load generator (default 20)
  --warmup N       seconds of unmeasured load before each measured run (default 5: the instrumented
                   service needs 4-5 s of load before its JIT reaches steady state)
  --out FILE       where to write the JSON result (default bench/results/latest.json)
  --help           this text`;

function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number, got "${raw}"`);
  return value;
}

/** Parses argv (without node and the script). Throws an Error with a message for the user. */
export function parseArgs(argv) {
  const options = { durationS: 10, warmupS: 5, rounds: 3, connections: 20, quick: false, out: undefined, help: false };
  const numeric = {
    '--duration': 'durationS',
    '--rounds': 'rounds',
    '--connections': 'connections',
    '--warmup': 'warmupS',
  };
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--') continue; // `pnpm bench -- --quick` may pass the separator through
    if (flag === '--quick') options.quick = true;
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
    if (!given.has('--duration')) options.durationS = 3;
    if (!given.has('--warmup')) options.warmupS = 2;
  }
  return options;
}
