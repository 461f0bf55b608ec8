// A plain Express 5 CommonJS service, traced by its own OpenTelemetry 3.x setup (own-sdk.cjs).
//   PORT      port to listen on (0 = any; the chosen port is printed as {"port": N})
//   FAIL      when "1", GET /work/:item answers 500 (a failing hop)
const express = require('express');

const app = express();

app.get('/work/:item', (req, res) => {
  if (process.env.FAIL === '1') {
    res.status(500).json({ error: 'the backend failed' });
    return;
  }
  res.json({ item: req.params.item });
});

app.get('/_hoptrace/stats', (req, res) => {
  res.json(globalThis.ownSdkStats ? globalThis.ownSdkStats() : null);
});

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
