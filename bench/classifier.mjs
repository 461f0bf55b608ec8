// The classifier alone (issue 13): runs classified per second on one core, and µs per run, with
// classify() of the built @hoptrace/oamserver on pre-built runs of a five-hop path (ok, slow, error,
// lost, and their mix); then the same mix with the Oamserver's own BaselineStore as the baseline
// lookup, and the collector's whole in-process work per run (decode, classify, summarize,
// serialize). No Redis, no server. Also part 1 of bench/oamserver-throughput.mjs.
//   node bench/classifier.mjs [--seconds 3] [--instances 1000] [--quick] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureClassifier } from './lib/tp-classifier.mjs';
import { machineInfo } from './lib/machine-info.mjs';
import { formatJson } from './lib/tp-common.mjs';
import { formatClassifier, targetVerdicts } from './lib/tp-report.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

const USAGE = `usage: node bench/classifier.mjs [options]   (after pnpm build)
   or: pnpm bench -- --only classifier [--quick]
  --seconds N     seconds timed per scenario, after a second of warm-up (default 3; --quick 1)
  --instances N   service instances the runs go through, over 5 services (default 1000)
  --quick         1 s per scenario
  --out FILE      where the JSON result goes (default bench/results/classifier.json;
                  --quick: bench/results/classifier-quick.tmp.json)
  --help          this text`;

function parse(argv) {
  const options = { seconds: 3, instances: 1000, quick: false, out: undefined, help: false };
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--') continue;
    if (flag === '--quick') options.quick = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else if (['--seconds', '--instances', '--out'].includes(flag)) {
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      given.add(flag);
      if (flag === '--out') options.out = raw;
      else {
        const n = Number(raw);
        if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive whole number, got "${raw}"`);
        options[flag.slice(2)] = n;
      }
    } else throw new Error(`unknown option "${argv[i]}"`);
  }
  if (options.quick && !given.has('--seconds')) options.seconds = 1;
  return options;
}

async function main() {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const machine = machineInfo(dirname(BENCH_DIR));
  const classifier = measureClassifier({
    seconds: options.seconds,
    warmupS: 1,
    instances: options.instances,
    log: (m) => console.log(`classifier: ${m}`),
  });
  machine.loadAvg1mAtEnd = loadavg()[0];
  const targets = targetVerdicts({ classifier, levels: [], options: {} });
  console.log(formatClassifier(classifier).join('\n'));
  console.log(
    `machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ` +
      `${machine.loadAvg1mAtStart.toFixed(2)} → ${machine.loadAvg1mAtEnd.toFixed(2)} (a shared, noisy VM)`,
  );
  for (const t of targets) console.log(`target: ${t.text}: ${t.verdict}`);
  for (const c of classifier.checks) console.log(`FAILED check: ${c}`);
  const out = options.out
    ? resolve(options.out)
    : join(BENCH_DIR, 'results', options.quick ? 'classifier-quick.tmp.json' : 'classifier.json');
  const command = ['node bench/classifier.mjs', ...process.argv.slice(2).filter((a) => a !== '--')].join(' ');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, await formatJson({ machine, config: { ...options, command }, classifier, targets }, out));
  console.log(`\nfull result: ${out}`);
  return classifier.checks.length === 0 ? 0 : 1;
}

process.exitCode = await main();
