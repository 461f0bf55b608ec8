// The README's screenshots, made from the running demo (`pnpm screenshots`): with
// `pnpm demo -- --instances 3` running, it waits until every probe has runs, slows recorder-2 down,
// waits until the overview shows the incident naming it and a slow run exists, saves
// docs/images/overview.png and docs/images/run.png, and heals recorder-2 again, also on failure
// or Ctrl-C.
//   node demo/screenshots.mjs [--url http://127.0.0.1:4400] [--base-port 7001]
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/chromium.mjs';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { planInstances } from './lib/plan.mjs';
import { OAMSERVER_URL } from './lib/oamserver.mjs';
import { DEFAULT_BASE_PORT } from './services/lib/topology.js';

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)));
const imagesDir = join(repoDir, 'docs', 'images');
const SLOW_INSTANCE = 'recorder-2';
const FAULT = { latencyMs: 400 };
/** Runs of every probe before the fault, so that the strips show some history. */
const MIN_RUNS = 3;
/** The demo fires every 10 s and recorder-2 gets every third deposit run: an incident takes ~1 min. */
const INCIDENT_TIMEOUT_MS = 4 * 60_000;

const USAGE = `usage: pnpm screenshots [-- --url URL] [-- --base-port P]

Run it with the demo running (pnpm demo -- --instances 3, in another shell). It slows recorder-2
down, waits for the incident, saves docs/images/overview.png and docs/images/run.png, and heals
recorder-2 again.

  --url URL         the demo's Oamserver (default ${OAMSERVER_URL})
  --base-port P     the demo's --base-port (default ${DEFAULT_BASE_PORT}): where recorder-2 listens
  --help            this text`;

class ScreenshotError extends Error {}

function options() {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      url: { type: 'string', default: OAMSERVER_URL },
      'base-port': { type: 'string', default: String(DEFAULT_BASE_PORT) },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const basePort = Number(values['base-port']);
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535) {
    throw new ScreenshotError(`--base-port must be a port number (got "${values['base-port']}")`);
  }
  return { url: values.url.replace(/\/+$/, ''), basePort, help: values.help };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value, or fails after `timeoutMs` saying what it waited for. */
async function waitFor(check, { timeoutMs, what }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new ScreenshotError(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(1000);
  }
}

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

/** The Oamserver answers and serves the built dashboard. */
async function checkOamserver(url) {
  let meta;
  try {
    meta = await getJson(`${url}/api/meta`);
  } catch (error) {
    throw new ScreenshotError(
      `no Oamserver answers at ${url} (${error.cause?.code ?? error.message}): start the demo first, ` +
        'in another shell: pnpm demo -- --instances 3 (or give its address with --url)',
    );
  }
  const home = await fetch(`${url}/`);
  if (home.status === 503) {
    throw new ScreenshotError('the Oamserver runs but the dashboard is not built: run `pnpm build`, restart the demo');
  }
  return meta;
}

/**
 * recorder-2's address, from the launcher's port plan (demo/lib/plan.mjs: every instance of a
 * service gets the next port from --base-port, service after service), for the instance count the
 * demo was started with: the one where that port answers /healthz as recorder-2.
 */
async function findSlowInstance(basePort) {
  for (let instances = 2; instances <= 9; instances++) {
    const instance = planInstances({ instances, basePort }).find((i) => i.id === SLOW_INSTANCE);
    const health = await getJson(`${instance.url}/healthz`).catch(() => undefined);
    if (health?.service === 'recorder' && health.instance === SLOW_INSTANCE) return instance.url;
  }
  throw new ScreenshotError(
    `no ${SLOW_INSTANCE} answers on the demo's ports from ${basePort}: run the demo with --instances 3 ` +
      '(pnpm demo -- --instances 3), or give its --base-port',
  );
}

async function setFaults(instanceUrl, faults) {
  const res = await fetch(`${instanceUrl}/admin/faults`, {
    method: faults ? 'PUT' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: faults ? JSON.stringify(faults) : undefined,
  });
  if (!res.ok) throw new Error(`${faults ? 'PUT' : 'DELETE'} ${instanceUrl}/admin/faults answered ${res.status}`);
}

/** The newest run that recorder-2 made slow, once there is one. */
async function slowRun(url) {
  const page = await getJson(`${url}/api/runs?view=summary&verdict=slow&instance=${SLOW_INSTANCE}&limit=20`);
  return page.runs.find((r) => r.fault?.service === 'recorder' && r.fault.instance === SLOW_INSTANCE);
}

/** Nothing on the page says "Loading …" any more. */
async function loaded(page) {
  const loading = page.getByRole('status').filter({ hasText: /^Loading / });
  await waitFor(async () => (await loading.count()) === 0, { timeoutMs: 30_000, what: 'the page to load' });
}

async function shoot({ url, basePort }) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new ScreenshotError(`chromium is not installed at ${CHROMIUM_PATH}: sudo apt-get install -y chromium`);
  }
  const meta = await checkOamserver(url);
  const recorder2 = await findSlowInstance(basePort);
  console.log(`Oamserver ${url}; ${SLOW_INSTANCE} at ${recorder2}`);

  console.log(`waiting until every probe (${meta.probes.join(', ')}) has ${MIN_RUNS} runs...`);
  await waitFor(
    async () => {
      const overview = await getJson(`${url}/api/overview`);
      return overview.probes.every((p) => p.recent.filter((c) => c.state === 'done').length >= MIN_RUNS);
    },
    { timeoutMs: 3 * 60_000, what: `${MIN_RUNS} runs of every probe` },
  );

  let healed = false;
  const heal = async () => {
    if (healed) return;
    healed = true;
    await setFaults(recorder2, undefined);
    console.log(`healed ${SLOW_INSTANCE}`);
  };
  const onSignal = () => {
    heal().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
  });
  try {
    console.log(`slowing ${SLOW_INSTANCE} down (${JSON.stringify(FAULT)})...`);
    await setFaults(recorder2, FAULT);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    await page.goto(`${url}/`);
    console.log(`waiting until the overview shows an open incident naming ${SLOW_INSTANCE} (about a minute)...`);
    await page
      .getByRole('region', { name: /^Open incidents/ })
      .getByRole('link', { name: new RegExp(`^recorder \\(${SLOW_INSTANCE}\\) slow since `) })
      .waitFor({ timeout: INCIDENT_TIMEOUT_MS });
    const run = await waitFor(() => slowRun(url), { timeoutMs: 60_000, what: `a run slow at ${SLOW_INSTANCE}` });
    // The chart shades the incident once the overview refetches its numbers (at most 5 s after a run).
    await page
      .getByRole('article', { name: 'deposit-voicemail' })
      .getByText('incident', { exact: true })
      .waitFor({ timeout: 60_000 });
    await loaded(page);
    mkdirSync(imagesDir, { recursive: true });
    const overviewPng = join(imagesDir, 'overview.png');
    await page.screenshot({ path: overviewPng, fullPage: true });
    console.log(`saved ${relative(process.cwd(), overviewPng)}`);

    await page.goto(`${url}/runs/${encodeURIComponent(run.runId)}`);
    await page.getByRole('list', { name: /^Hops of this run along the expected path/ }).waitFor();
    await loaded(page);
    const runPng = join(imagesDir, 'run.png');
    await page.screenshot({ path: runPng, fullPage: true });
    console.log(`saved ${relative(process.cwd(), runPng)} (run ${run.runId})`);
  } finally {
    await browser.close();
    await heal();
  }
}

try {
  const opts = options();
  if (opts.help) console.log(USAGE);
  else await shoot(opts);
} catch (error) {
  console.error(`screenshots: ${error instanceof ScreenshotError ? error.message : (error.stack ?? error.message)}`);
  process.exitCode = 1;
}
