// Variant "dc": a diagnostics_channel subscriber that looks at each request's baggage header,
// as probe-only mode does for ordinary traffic.
import dc from 'node:diagnostics_channel';

let seen = 0;
dc.subscribe('http.server.request.start', ({ request }) => {
  const baggage = request.headers.baggage;
  if (baggage !== undefined && baggage.includes('hoptrace')) seen++;
});
process.on('exit', () => seen);
