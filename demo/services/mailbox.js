// mailbox: subscriber profiles, greetings and PINs, in Redis under the platform's key space.
// Probe traffic reads and writes a synthetic subscriber (created on first use for any number),
// never the real one.
//   GET  /subscribers/:number              profile and greeting (no PIN)
//   POST /subscribers/:number/verify-pin   { pin } → 200 or 403
//   PUT  /subscribers/:number/greeting     { text } → 200
import { timingSafeEqual } from 'node:crypto';
import { createService, startService } from './lib/service.js';
import { serviceConfig } from './lib/config.js';
import { isPhoneNumber, keySpace } from './lib/key-space.js';

/** The demo's real subscribers, written at start unless they already exist. */
const DEMO_SUBSCRIBERS = [
  { number: '4155550100', name: 'Ada Lovelace', pin: '1234', notify: 'sms' },
  { number: '4155550101', name: 'Grace Hopper', pin: '2468', notify: 'push' },
  { number: '4155550102', name: 'Edsger Dijkstra', pin: '1357', notify: 'sms' },
];

/** PIN of every synthetic subscriber (the retrieve probe sends it in `x-pin`). */
const SYNTHETIC_PIN = process.env.SYNTHETIC_PIN || '0000';
const MAX_GREETING_LENGTH = 500;

const config = serviceConfig('mailbox', { env: process.env, argv: process.argv });
const { app, logger, redis } = createService(config, { usesRedis: true });

function greetingFor(name) {
  return `Hi, you have reached ${name}. Please leave a message after the tone.`;
}

async function seedDemoSubscribers() {
  const real = keySpace(config.keyPrefix, undefined);
  for (const { number, name, pin, notify } of DEMO_SUBSCRIBERS) {
    // HSETNX field by field: a greeting changed in an earlier run survives a restart.
    const key = real.subscriber(number);
    await redis
      .multi()
      .hsetnx(key, 'name', name)
      .hsetnx(key, 'pin', pin)
      .hsetnx(key, 'notify', notify)
      .hsetnx(key, 'greeting', greetingFor(name))
      .exec();
  }
}

/**
 * The subscriber's profile in the key space of this request, or undefined. A probe gets a
 * synthetic subscriber for any number, created on first use and expiring when probes stop.
 */
async function findSubscriber(req, number) {
  const space = keySpace(config.keyPrefix, req.hoptraceProbe);
  const key = space.subscriber(number);
  if (space.synthetic) {
    await redis
      .multi()
      .hsetnx(key, 'name', 'Synthetic probe subscriber')
      .hsetnx(key, 'pin', SYNTHETIC_PIN)
      .hsetnx(key, 'notify', 'sms')
      .hsetnx(key, 'greeting', greetingFor('the probe mailbox'))
      .expire(key, space.ttlSeconds)
      .exec();
  }
  const profile = await redis.hgetall(key);
  return profile.name === undefined ? undefined : { key, profile };
}

function samePin(given, stored) {
  const a = Buffer.from(String(given));
  const b = Buffer.from(String(stored));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks the number and loads the subscriber, or answers 400/404 and returns undefined. */
async function subscriberOrAnswer(req, res) {
  const { number } = req.params;
  if (!isPhoneNumber(number)) {
    res.status(400).json({ error: 'number must be 3 to 15 digits' });
    return undefined;
  }
  const found = await findSubscriber(req, number);
  if (!found) res.status(404).json({ error: `no mailbox for ${number}` });
  return found;
}

app.get('/subscribers/:number', async (req, res) => {
  const found = await subscriberOrAnswer(req, res);
  if (!found) return;
  const { name, greeting, notify } = found.profile;
  res.json({ number: req.params.number, name, greeting, notify, synthetic: Boolean(req.hoptraceProbe) });
});

app.post('/subscribers/:number/verify-pin', async (req, res) => {
  const found = await subscriberOrAnswer(req, res);
  if (!found) return;
  if (typeof req.body?.pin !== 'string' || !samePin(req.body.pin, found.profile.pin)) {
    res.status(403).json({ ok: false, error: 'wrong PIN' });
    return;
  }
  res.json({ ok: true });
});

app.put('/subscribers/:number/greeting', async (req, res) => {
  const text = req.body?.text;
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_GREETING_LENGTH) {
    res.status(400).json({ error: `text must be 1 to ${MAX_GREETING_LENGTH} characters` });
    return;
  }
  const found = await subscriberOrAnswer(req, res);
  if (!found) return;
  await redis.hset(found.key, 'greeting', text, 'greetingUpdatedAt', new Date().toISOString());
  res.json({ number: req.params.number, greeting: text });
});

// On every (re)connection: cheap, and a Redis that was flushed or restarted gets its subscribers back.
redis.on('ready', () => {
  seedDemoSubscribers().catch((error) => logger.error('seed', { message: error.message }));
});
startService({ app, config, logger, onShutdown: () => redis.quit() });
