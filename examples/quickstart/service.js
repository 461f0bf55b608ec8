// One Express service of the quickstart: answers GET /hello, after calling NEXT_URL if set.
// It has no hoptrace code at all; `node --import @hoptrace/instrument/register` does the rest.
import express from 'express';

const app = express();
app.get('/hello', async (req, res) => {
  let downstream = null;
  if (process.env.NEXT_URL) downstream = await (await fetch(process.env.NEXT_URL)).json();
  res.json({ from: process.env.OTEL_SERVICE_NAME, downstream });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
