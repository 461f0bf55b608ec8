// The smallest Express handler there is: the worst case for the relative cost of anything that
// runs on every request (the quote app's ~1 ms of work hides a fixed cost that this one shows).
// Started like bench/app.js, bare or with a preload, and needs no Redis of its own.
//
// GET /hello    {"hello":"world"}
// GET /_stats   as in bench/app.js: the drop-in's counters, or the plain OpenTelemetry preload's
//               (bench/otel-only/), or null; `?flush=1` exports what is queued first.
//
// Environment: PORT (0 = any; the port is printed as {"port": N}).
import express from 'express';
import { benchStats } from './lib/service-stats.mjs';

const app = express();

app.get('/hello', (req, res) => {
  res.json({ hello: 'world' });
});

app.get('/_stats', async (req, res) => {
  res.json(await benchStats(req.query.flush === '1'));
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
