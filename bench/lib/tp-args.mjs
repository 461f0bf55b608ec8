// Command-line options of bench/oamserver-throughput.mjs.
import { DEFAULT_MIX, parseMix } from './tp-hops.mjs';

export const TP_USAGE = `usage: node bench/oamserver-throughput.mjs [options]   (after pnpm build)
   or: pnpm bench -- --only oamserver-throughput [--quick]
What the Oamserver costs per probe run, and how it keeps up. First the classifier alone (see
bench/classifier.mjs), then, per offered load, a real \`hoptrace serve\` firing probes on its
schedule at a tiny HTTP platform (bench/lib/tp-target.mjs, another process) that answers and writes
each run's five hop records into Redis as five services' drop-ins would; the bench watches the
Oamserver's CPU, memory, backlog and verdict lag, and Redis's memory. See docs/deployment.md.
  --rates LIST       offered loads, runs per second, comma-separated (default 20,50,100)
  --duration N       seconds measured per load (default 16; --quick 12)
  --warmup N         seconds of load before measuring, per load (default 8; --quick 6)
  --every N          probe interval in seconds (default 10): a load of R runs/s is R x N probes
  --timeout N        probe timeout in seconds (default 5): a lost run is classified after it
  --instances N      service instances, spread over the 5 services (default 1000)
  --mix LIST         outcomes of runs in percent (default ${Object.entries(DEFAULT_MIX)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')})
  --run-ttl N        storage.runTtl in seconds (default 3600; --soak 60, the least the config takes)
  --hop-ttl N        the hop records' TTL in seconds (default 3600, the exporter's; --soak 60)
  --history N        runs per probe seeded over the hour before each load starts (default 12, one
                     per 5-minute bucket, at most storage.maxRuns in all; 0: none), so that the
                     Oamserver reads an hour back into its statistics and baselines at start and is
                     measured in its steady state, not fresh
  --scrape-every N   seconds between scrapes of the Oamserver's /metrics, as Prometheus would
                     (default 15; their CPU is part of the Oamserver's)
  --soak             one long load instead: --rates (default 100) for --soak-minutes with a short
                     runTtl and hop TTL, to see whether memory stays flat once runs expire
  --soak-minutes N   length of the soak (default 5)
  --classifier-seconds N  seconds per classifier scenario (default 1)
  --no-classifier    skip the classifier part
  --cpu-prof         run the Oamserver under node --cpu-prof and say where its CPU went in the
                     measured window (the profile inflates CPU a little: compare runs alike)
  --quick            a smoke run: loads 20 and 100, 6 s warm-up + 12 s each
  --out FILE         where the JSON result goes (default bench/results/oamserver-throughput.json;
                     --soak: oamserver-throughput-soak.json; --quick: oamserver-throughput-quick.tmp.json)
  --help             this text

Environment: REDIS_URL (default redis://127.0.0.1:6379, else a private redis-server). All keys go
under a random prefix per load, deleted at the end of each load (SCAN + UNLINK).`;

function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number, got "${raw}"`);
  return value;
}

function wholeNumber(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a whole number, got "${raw}"`);
  return value;
}

function rateList(raw) {
  const rates = raw.split(',').map((s) => positiveInt('--rates', s.trim()));
  if (rates.length === 0) throw new Error('--rates needs at least one load');
  return rates;
}

/** Parses argv (without node and the script). Throws an Error with a message for the user. */
export function parseTpArgs(argv) {
  const options = {
    rates: [20, 50, 100],
    durationS: 16,
    warmupS: 8,
    everyS: 10,
    timeoutS: 5,
    instances: 1000,
    mix: DEFAULT_MIX,
    runTtlS: 3600,
    hopTtlS: 3600,
    scrapeEveryS: 15,
    historyPerProbe: 12,
    soak: false,
    soakMinutes: 5,
    classifierSeconds: 1,
    classifier: true,
    cpuProf: false,
    quick: false,
    out: undefined,
    help: false,
  };
  const numeric = {
    '--duration': 'durationS',
    '--warmup': 'warmupS',
    '--every': 'everyS',
    '--timeout': 'timeoutS',
    '--instances': 'instances',
    '--run-ttl': 'runTtlS',
    '--hop-ttl': 'hopTtlS',
    '--scrape-every': 'scrapeEveryS',
    '--history': 'historyPerProbe',
    '--soak-minutes': 'soakMinutes',
    '--classifier-seconds': 'classifierSeconds',
  };
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--') continue;
    if (flag === '--quick') options.quick = true;
    else if (flag === '--soak') options.soak = true;
    else if (flag === '--cpu-prof') options.cpuProf = true;
    else if (flag === '--no-classifier') options.classifier = false;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag in numeric || ['--out', '--rates', '--mix'].includes(flag)) {
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--out') options.out = raw;
      else if (flag === '--rates') options.rates = rateList(raw);
      else if (flag === '--mix') options.mix = parseMix(raw);
      else if (flag === '--history') options.historyPerProbe = wholeNumber(flag, raw);
      else options[numeric[flag]] = positiveInt(flag, raw);
      given.add(flag);
    } else throw new Error(`unknown option "${argv[i]}"`);
  }
  if (options.quick) {
    if (!given.has('--rates')) options.rates = [20, 100];
    if (!given.has('--duration')) options.durationS = 12;
    if (!given.has('--warmup')) options.warmupS = 6;
  }
  if (options.soak) {
    if (!given.has('--rates')) options.rates = [100];
    if (options.rates.length !== 1) throw new Error('--soak runs one load: give --rates one value');
    options.durationS = options.soakMinutes * 60;
    if (!given.has('--run-ttl')) options.runTtlS = 60;
    if (!given.has('--hop-ttl')) options.hopTtlS = 60;
  }
  if (options.runTtlS < 60) throw new Error('--run-ttl: storage.runTtl is at least 60 s');
  if (options.timeoutS >= options.everyS * 10) throw new Error('--timeout should be well below the interval');
  for (const rate of options.rates) {
    const probes = rate * options.everyS;
    if (probes > 20_000) throw new Error(`--rates ${rate} x --every ${options.everyS} = ${probes} probes: too many`);
  }
  return options;
}
