// An Express 5 ES-module service whose OpenTelemetry is the 3.x line (api 1.10), started with the
// drop-in:  node --import @hoptrace/instrument/register app.mjs
//
// Environment:
//   PORT      port to listen on (0 = any; the chosen port is printed as {"port": N})
//   NEXT_URL  GET /work calls these URLs (comma-separated) with fetch, one after the other
import express from 'express';
import { getInstrumentation } from '@hoptrace/instrument';

const nextUrls = (process.env.NEXT_URL ?? '').split(',').filter((url) => url !== '');

const app = express();

app.get('/work/:item', async (req, res) => {
  const statuses = [];
  for (const url of nextUrls) {
    const answer = await fetch(url);
    await answer.arrayBuffer();
    statuses.push(answer.status);
  }
  res.json({ item: req.params.item, statuses });
});

app.get('/_hoptrace/stats', (req, res) => {
  const instrumentation = getInstrumentation();
  res.json(
    instrumentation ? { ...instrumentation.stats(), mode: instrumentation.mode, sdk: instrumentation.sdk } : null,
  );
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
