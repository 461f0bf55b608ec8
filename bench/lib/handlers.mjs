// The two handlers every mode is measured on: the order-quote app (about 1 ms of CPU per request,
// a Redis read and some business logic) and the smallest Express handler there is (the worst case
// for the relative cost of anything that runs on every request).
import { ORDER } from './catalog.mjs';

export const HANDLERS = [
  {
    id: 'quote',
    app: 'app.js',
    label: 'POST /quote (bench/app.js: Redis GET, pricing, 100 SHA-256 rounds)',
    serviceName: 'bench-quote',
    request: {
      method: 'POST',
      path: '/quote',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ORDER),
    },
  },
  {
    id: 'minimal',
    app: 'minimal-app.js',
    label: 'GET /hello (bench/minimal-app.js: res.json({hello: "world"}))',
    serviceName: 'bench-minimal',
    request: { method: 'GET', path: '/hello', headers: {} },
  },
];

export const HANDLER_IDS = HANDLERS.map((h) => h.id);

/** The handlers named in `ids`, in HANDLERS order. */
export const handlersNamed = (ids) => HANDLERS.filter((h) => ids.includes(h.id));
