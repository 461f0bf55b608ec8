// What an async context costs ordinary requests, per Node version (issue 10): the minimal Express
// handler (minimal-app.js, also one of run.mjs's handlers) run bare and with each preload of
// async-context/, under the same autocannon load, alternating the order over rounds; each variant
// reported as a ratio to the bare run of the same Node and round.
//   node bench/async-context.mjs [--node /path/to/node ...] [--seconds 8] [--rounds 3] [--out FILE]
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/machine-info.mjs';
import { cpuTimeUs } from './lib/proc-stats.mjs';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'async-context');
/** The app, run from DIR so that the variants' `--import ./preload-*.mjs` resolve there. */
const APP = join(DIR, '..', 'minimal-app.js');

const VARIANTS = [
  { id: 'bare', label: 'bare', args: [] },
  { id: 'dc', label: 'diagnostics_channel look at baggage', args: ['--import', './preload-dc.mjs'] },
  { id: 'als', label: 'dc + an AsyncLocalStorage used once', args: ['--import', './preload-als.mjs'] },
  { id: 'als-run', label: 'AsyncLocalStorage.run per request', args: ['--import', './preload-als-run.mjs'] },
];
/** On Node 22, AsyncContextFrame (the default from Node 24) is behind a flag. */
const FRAME_VARIANT = {
  id: 'als-frame',
  label: 'as "als", --experimental-async-context-frame',
  args: ['--experimental-async-context-frame', '--import', './preload-als.mjs'],
};

function parseArgs(argv) {
  const options = { nodes: [], seconds: 8, warmup: 3, rounds: 3, connections: 20, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--node') options.nodes.push(value);
    else if (flag === '--out') options.out = value;
    else if (['--seconds', '--rounds', '--warmup', '--connections'].includes(flag)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive whole number, got "${value}"`);
      options[flag.slice(2)] = n;
    } else throw new Error(`unknown option ${flag}`);
  }
  if (options.nodes.length === 0) options.nodes.push(process.execPath);
  return options;
}

function start(node, variant) {
  const child = spawn(node, [...variant.args, APP], {
    cwd: DIR,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${variant.id} exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve({ child, url: `http://127.0.0.1:${JSON.parse(line).port}/hello` });
    });
  });
}

function load(url, seconds, connections) {
  return new Promise((resolve, reject) => {
    autocannon({ url, duration: seconds, connections }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function measure(node, variant, options) {
  const { child, url } = await start(node, variant);
  try {
    await load(url, options.warmup, options.connections);
    const cpuBefore = cpuTimeUs(child.pid);
    const result = await load(url, options.seconds, options.connections);
    const cpu = cpuTimeUs(child.pid) - cpuBefore;
    return {
      reqPerSec: result.requests.total / result.duration,
      cpuUsPerReq: cpu / result.requests.total,
      errors: result.errors + result.non2xx,
    };
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const results = [];
  for (const node of options.nodes) {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    const major = Number(/^v(\d+)/.exec(version)[1]);
    const variants = major === 22 ? [...VARIANTS, FRAME_VARIANT] : VARIANTS;
    const rounds = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      const byId = {};
      for (const variant of order) {
        byId[variant.id] = await measure(node, variant, options);
        const m = byId[variant.id];
        console.log(
          `${version} round ${round + 1} ${variant.id.padEnd(9)} ${m.reqPerSec.toFixed(0)} req/s, ${m.cpuUsPerReq.toFixed(1)} µs CPU/req`,
        );
      }
      rounds.push(byId);
    }
    for (const variant of variants) {
      const tput = rounds.map((r) => r[variant.id].reqPerSec / r.bare.reqPerSec);
      const cpu = rounds.map((r) => r[variant.id].cpuUsPerReq / r.bare.cpuUsPerReq);
      results.push({
        node: version,
        variant: variant.id,
        label: variant.label,
        reqPerSec: median(rounds.map((r) => r[variant.id].reqPerSec)),
        cpuUsPerReq: median(rounds.map((r) => r[variant.id].cpuUsPerReq)),
        throughputVsBare: median(tput),
        throughputVsBareRange: [Math.min(...tput), Math.max(...tput)],
        cpuVsBare: median(cpu),
        errors: rounds.reduce((sum, r) => sum + r[variant.id].errors, 0),
      });
    }
  }
  console.log('\nnode      variant    req/s  CPU µs/req  throughput vs bare (range)   CPU vs bare');
  for (const r of results) {
    console.log(
      `${r.node.padEnd(9)} ${r.variant.padEnd(9)} ${r.reqPerSec.toFixed(0).padStart(6)} ${r.cpuUsPerReq.toFixed(1).padStart(10)}` +
        `  ${r.throughputVsBare.toFixed(3)} (${r.throughputVsBareRange.map((v) => v.toFixed(3)).join('–')})`.padEnd(
          31,
        ) +
        `${r.cpuVsBare.toFixed(3)}`,
    );
  }
  const out = options.out ?? join(DIR, '..', 'results', 'async-context.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ machine: machineInfo(join(DIR, '..', '..')), options, results }, null, 2)}\n`);
  console.log(`\nfull result: ${out}`);
}

await main();
