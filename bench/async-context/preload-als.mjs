// Variant "als": as "dc", plus an AsyncLocalStorage used once at start: from then on Node keeps
// its async context for every asynchronous operation (on Node 20 and 22 through async hooks).
import dc from 'node:diagnostics_channel';
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage();
storage.run({ probe: false }, () => undefined);
let seen = 0;
dc.subscribe('http.server.request.start', ({ request }) => {
  const baggage = request.headers.baggage;
  if (baggage !== undefined && baggage.includes('hoptrace')) seen++;
});
process.on('exit', () => seen + (storage.getStore() ? 1 : 0));
