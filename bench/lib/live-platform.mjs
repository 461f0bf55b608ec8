// The platform of bench/dashboard-live.mjs: the order service of live-target.mjs (two `shop`
// instances in front of one `stock`), each under the hoptrace drop-in, and an Oamserver whose ten
// probes go through it on schedules that fire none of them while the bench runs: the bench fires
// every run itself, through the API, at the rate it wants.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quietEvery } from './dash-platform.mjs';

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** The probes: ten flows of one shop, each fired through one of the two shop instances. */
export const LIVE_PROBES = [
  'checkout',
  'login',
  'signup',
  'search-catalog',
  'add-to-cart',
  'track-order',
  'refund',
  'invoice-email',
  'password-reset',
  'book-room',
];
/**
 * The probes' expected path, and their budgets: stock's slow answers (220-400 ms) are over its
 * 150 ms. Every hop has a budget, so the classifier never looks up a learned baseline: with
 * BASELINE_BUDGET (`--baseline-hops`) the shop's hop is judged against its baseline instead, as
 * the demo's unbudgeted hops are, which costs the Oamserver much more CPU per run (see the
 * section this bench writes).
 */
export const LIVE_PATH = ['shop', 'stock'];
export const LIVE_BUDGET = { totalMs: 300, hopsMs: { shop: 450, stock: 150 } };
export const BASELINE_BUDGET = { totalMs: 300, hopsMs: { stock: 150 } };
/** A run whose stock hop never comes (the 1 % the shop does not forward) is classified this long after firing. */
export const LIVE_TIMEOUT_MS = 2000;

/**
 * Starts one service of live-target.mjs under the drop-in, as users start theirs. Resolves to
 * { pid, url, output(), running(), stop() } once it prints its port.
 */
export function startTarget({ role, service, instance, seed, redisUrl, prefix, secret, stockUrl }) {
  const child = spawn(process.execPath, ['--import', '@hoptrace/instrument/register', 'lib/live-target.mjs'], {
    cwd: BENCH_DIR,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: '0',
      LIVE_ROLE: role,
      LIVE_SEED: String(seed),
      ...(stockUrl ? { STOCK_URL: stockUrl } : {}),
      HOPTRACE_SECRET: secret,
      REDIS_URL: redisUrl,
      HOPTRACE_KEY_PREFIX: prefix,
      OTEL_SERVICE_NAME: service,
      OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 100_000) output = output.slice(-50_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = () =>
    new Promise((resolve) => {
      if (!running()) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${instance} did not start within 20 s:\n${output}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${instance} exited with ${code} before listening:\n${output}`));
    });
    const onData = () => {
      const line = output.split('\n').find((l) => l.startsWith('{"port"'));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.off('data', onData);
      resolve({
        pid: child.pid,
        instance,
        url: `http://127.0.0.1:${JSON.parse(line).port}`,
        output: () => output,
        running,
        stop,
      });
    };
    child.stdout.on('data', onData);
  });
}

/** stock-1, then shop-1 and shop-2 in front of it. Returns { stock, shops, all }. */
export async function startTargets({ redisUrl, prefix, secret }) {
  const common = { redisUrl, prefix, secret };
  const stock = await startTarget({ ...common, role: 'stock', service: 'stock', instance: 'stock-1', seed: 3 });
  const shops = [];
  try {
    for (const n of [1, 2]) {
      shops.push(
        await startTarget({
          ...common,
          role: 'entry',
          service: 'shop',
          instance: `shop-${n}`,
          seed: n,
          stockUrl: stock.url,
        }),
      );
    }
  } catch (error) {
    await Promise.all([stock, ...shops].map((t) => t.stop()));
    throw error;
  }
  return { stock, shops, all: [stock, ...shops] };
}

/** The probe config: LIVE_PROBES, alternately through each shop instance, none fired by the scheduler for `quietMs`. */
export function liveConfig({ prefix, shopUrls, nowMs, quietMs, maxRuns, budget = LIVE_BUDGET }) {
  const hops = Object.entries(budget.hopsMs)
    .map(([service, ms]) => `${service}: ${ms}ms`)
    .join(', ');
  const lines = [
    '# generated by bench/dashboard-live.mjs: probes through the bench shop, fired by the bench through',
    '# POST /api/probes/<name>/runs; their schedules fire none of them while the bench runs',
    `storage: { keyPrefix: ${JSON.stringify(prefix)}, maxRuns: ${maxRuns} }`,
    'probes:',
  ];
  LIVE_PROBES.forEach((name, i) => {
    lines.push(
      `  - name: ${name}`,
      `    every: ${quietEvery(name, nowMs, quietMs)}`,
      `    timeout: ${LIVE_TIMEOUT_MS}ms`,
      '    trigger:',
      `      http: { method: POST, url: ${JSON.stringify(`${shopUrls[i % shopUrls.length]}/orders/${name}`)}, body: { items: 2 }, expectStatus: 200 }`,
      `    path: [${LIVE_PATH.join(', ')}]`,
      `    budget: { total: ${budget.totalMs}ms, hops: { ${hops} } }`,
    );
  });
  return `${lines.join('\n')}\n`;
}
