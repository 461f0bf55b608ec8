// The platform bench/dashboard-live.mjs probes: a tiny order service on node:http, started the
// way users start a service, `node --import @hoptrace/instrument/register lib/live-target.mjs`, so
// that every probe run gets real hop records and a real verdict. No hoptrace code here. Plain
// node:http rather than Express: the bench shares two cores with the browser it measures, and
// the services' own cost per run should stay small next to the Oamserver's and the page's.
//
// Two roles, chosen by LIVE_ROLE:
//   entry  POST /orders/<probe>  answers 200 after asking the stock service (http.request,
//          traced), except for about 10 % of requests, drawn at random: slow at stock (5 %),
//          failing at stock (3 %: stock answers 500, the entry 502), or never calling stock (1 %:
//          stock's hop is missing, the run is lost), so that verdicts vary as on a real platform.
//   stock  POST /stock  answers 200 after 1-6 ms; the entry says in `x-bench-fault` how it should
//          misbehave (the fault is drawn in one place so that its share is exact).
// Environment: LIVE_ROLE, PORT (0 = any; printed as {"port": N}), STOCK_URL (entry only),
// LIVE_SEED (the random draws are seeded: two runs of the bench get the same mix).
import { Agent, createServer, request } from 'node:http';

const role = process.env.LIVE_ROLE ?? 'entry';
const stockUrl = process.env.STOCK_URL ? new URL(process.env.STOCK_URL) : undefined;

/** mulberry32, seeded: the same sequence of faults on every run of the bench. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(Number(process.env.LIVE_SEED ?? 1));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Shares of the faults the entry draws (the rest are healthy runs). */
const FAULTS = [
  ['slow', 0.05],
  ['error', 0.03],
  ['skip', 0.01],
];

function drawFault() {
  let r = random();
  for (const [fault, share] of FAULTS) {
    if (r < share) return fault;
    r -= share;
  }
  return 'none';
}

/** Reads a request's body (small JSON). */
function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** POST /stock on the stock service, with a keep-alive agent; resolves to { status, body }. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function askStock(fault, sku) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify({ sku, qty: 1 });
    const req = request(
      {
        host: stockUrl.hostname,
        port: stockUrl.port,
        path: '/stock',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'x-bench-fault': fault,
        },
      },
      (res) => {
        readBody(res).then((body) => resolve({ status: res.statusCode, body }), reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function entry(req, res) {
  const probe = /^\/orders\/([\w-]+)$/.exec(req.url ?? '')?.[1];
  if (req.method !== 'POST' || !probe) return answer(res, 404, { error: 'not found' });
  await readBody(req);
  const fault = drawFault();
  await sleep(1 + random() * 4);
  if (fault === 'skip') return answer(res, 200, { order: probe, stock: 'not asked' });
  const stock = await askStock(fault, `SKU-${Math.floor(random() * 1000)}`);
  if (stock.status !== 200) return answer(res, 502, { error: `stock answered ${stock.status}` });
  return answer(res, 200, { order: probe, stock: JSON.parse(stock.body) });
}

async function stock(req, res) {
  if (req.method !== 'POST' || req.url !== '/stock') return answer(res, 404, { error: 'not found' });
  const body = JSON.parse((await readBody(req)) || '{}');
  const fault = req.headers['x-bench-fault'];
  await sleep(fault === 'slow' ? 220 + random() * 180 : 1 + random() * 5);
  if (fault === 'error') return answer(res, 500, { error: 'stock ledger unavailable' });
  return answer(res, 200, { sku: body.sku, available: 1 + Math.floor(random() * 50) });
}

const handler = role === 'entry' ? entry : stock;
const server = createServer((req, res) => {
  handler(req, res).catch((error) => {
    if (!res.headersSent) answer(res, 500, { error: error.message });
    else res.destroy();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
