/**
 * `node --import @hoptrace/instrument/register app.js`: instruments an ES-module service.
 *
 * The import hook must be in place before the app imports express or ioredis, and static imports
 * are hoisted, so this file imports nothing but node:module and loads the rest afterwards.
 */
import { createRequire, register } from 'node:module';

// Only the modules our instrumentations patch go through import-in-the-middle: wrapping every
// module is slower and breaks some packages.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
  data: { include: ['express', 'ioredis', 'http', 'https', 'amqplib', 'nats'] },
});

createRequire(import.meta.url)('./register.js');
