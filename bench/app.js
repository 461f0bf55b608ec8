// The bench service: a small "quote" endpoint of an order service, in plain Express 5 ES modules,
// with no hoptrace code on the request path. It is started as `node app.js` (bare), with plain
// OpenTelemetry (`--import ./otel-only/register.mjs`) or with the drop-in
// (`--import @hoptrace/instrument/register`), exactly as users do.
//
// POST /quote   body {"customer": "...", "items": [{"sku": "SKU-0001", "qty": 2}, ...]}
//   1. reads the price list from Redis (ioredis GET, ~17 KB of JSON) and parses it;
//   2. prices every line, applies tax and a volume discount;
//   3. signs the quote: BENCH_WORK_ROUNDS chained SHA-256 rounds, which stand in for the business
//      logic a real handler runs (the default makes the whole request cost about 1 ms of CPU here);
//   4. answers the quote as JSON.
// GET /_stats   the drop-in's mode and counters (`getInstrumentation().stats()`), or the plain
//               OpenTelemetry preload's (spans exported), or null (lib/service-stats.mjs);
//               `?flush=1` exports what is queued first.
//
// Environment: PORT (0 = any; the port is printed as {"port": N}), BENCH_APP_REDIS_URL (the app's
// own Redis, never the exporter's), BENCH_CATALOG_KEY (where the price list is), BENCH_WORK_ROUNDS.
import { createHash } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import { benchStats } from './lib/service-stats.mjs';

const catalogKey = process.env.BENCH_CATALOG_KEY ?? 'bench:catalog';
const workRounds = Number(process.env.BENCH_WORK_ROUNDS ?? 100);
const redis = new Redis(process.env.BENCH_APP_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });

function signQuote(quote) {
  let digest = JSON.stringify(quote);
  for (let i = 0; i < workRounds; i++) digest = createHash('sha256').update(digest).digest('hex');
  return digest;
}

function priceOrder(order, catalog) {
  const lines = order.items.map(({ sku, qty }) => {
    const product = catalog[sku];
    if (!product) return { sku, qty, error: 'unknown sku' };
    const netCents = product.priceCents * qty;
    return { sku, name: product.name, qty, netCents, taxCents: Math.round(netCents * product.taxRate) };
  });
  const netCents = lines.reduce((sum, line) => sum + (line.netCents ?? 0), 0);
  const taxCents = lines.reduce((sum, line) => sum + (line.taxCents ?? 0), 0);
  const discountCents = netCents > 100_000 ? Math.round(netCents * 0.05) : 0;
  return {
    customer: order.customer,
    lines,
    netCents,
    taxCents,
    discountCents,
    totalCents: netCents + taxCents - discountCents,
  };
}

const app = express();
app.use(express.json({ limit: '64kb' }));

app.post('/quote', async (req, res) => {
  const order = req.body;
  if (!order || typeof order.customer !== 'string' || !Array.isArray(order.items)) {
    res.status(400).json({ error: 'expected {"customer": string, "items": [{"sku", "qty"}]}' });
    return;
  }
  const catalog = JSON.parse((await redis.get(catalogKey)) ?? '{}');
  const quote = priceOrder(order, catalog);
  res.json({ ...quote, signature: signQuote(quote) });
});

app.get('/_stats', async (req, res) => {
  res.json(await benchStats(req.query.flush === '1'));
});

if (!(await redis.get(catalogKey))) {
  process.stderr.write(`no price list at ${catalogKey}: run this app through bench/run.mjs\n`);
  process.exit(1);
}
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
