// notifier: tells subscribers they have a new voicemail. Consumes the `deposited` events of the
// Redis Stream in a consumer group (one consumer per instance) and "sends" an SMS or a push:
// a log line and a counter, no network. A probe's message is never sent to anyone: it is
// counted as a synthetic notification instead.
//   GET /stats   counters (sms, push, synthetic, dropped, failed) and the last notifications
import { currentProbe, runInMessageContext, streamFieldsToObject } from '@hoptrace/instrument';
import { sleep } from './lib/faults.js';
import { eventsStream } from './lib/key-space.js';
import { createBlockingRedis } from './lib/redis.js';
import { createService, startService } from './lib/service.js';
import { serviceConfig } from './lib/config.js';

const GROUP = process.env.NOTIFIER_GROUP || 'notifier';
const BATCH_SIZE = 10;
const BLOCK_MS = 2000;
const RECENT_KEPT = 20;

const config = serviceConfig('notifier', { env: process.env, argv: process.argv });
let subscribed = false;
const { app, logger, faults, redis } = createService(config, { usesRedis: true, isReady: () => subscribed });
// XREADGROUP BLOCK holds its connection, so reads get a client of their own.
const reader = createBlockingRedis(config.redisUrl, logger);
const stream = eventsStream(config.keyPrefix);
const consumer = config.instance;

const counters = { sms: 0, push: 0, synthetic: 0, dropped: 0, failed: 0 };
const recent = [];

async function ensureGroup() {
  try {
    await redis.xgroup('CREATE', stream, GROUP, '$', 'MKSTREAM');
  } catch (error) {
    // BUSYGROUP: the group exists (another instance, or an earlier run); carry on from where it is.
    if (!String(error.message).startsWith('BUSYGROUP')) throw error;
  }
}

/** "Sends" the notification of one deposited message, or counts it as synthetic. */
function notify(fields) {
  const probe = currentProbe();
  // The probe (from the message's context) or the event's own flag (synthetic data stays
  // synthetic even when a token has expired in a backlog): either way, nobody gets an SMS.
  const synthetic = probe !== undefined || fields.synthetic === '1';
  const channel = fields.notify === 'push' ? 'push' : 'sms';
  const notification = {
    at: new Date().toISOString(),
    messageId: fields.messageId,
    number: fields.number,
    channel: synthetic ? 'none' : channel,
    synthetic,
    probe: probe?.name ?? null,
  };
  if (synthetic) {
    counters.synthetic++;
    logger.info('synthetic notification, not sent', notification);
  } else {
    counters[channel]++;
    logger.info(channel === 'push' ? 'push sent' : 'SMS sent', {
      ...notification,
      text: `New voicemail from ${fields.caller}`,
    });
  }
  recent.unshift(notification);
  recent.length = Math.min(recent.length, RECENT_KEPT);
}

async function handle(id, flat) {
  const decision = faults.decide();
  // An entry trimmed from the stream while pending comes back without fields: nothing to do.
  if (flat === null) return;
  // A dropped message is acknowledged and never processed: no hop, the run is lost here.
  if (decision.drop) {
    counters.dropped++;
    return;
  }
  const fields = streamFieldsToObject(flat);
  try {
    await runInMessageContext(fields, { destination: stream, messageId: id, consumerGroup: GROUP }, async () => {
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.fail) throw new Error('injected fault (errorRate)');
      notify(fields);
    });
  } catch (error) {
    // Acknowledged anyway: a retry would notify twice, which is worse than not at all for a demo.
    counters.failed++;
    logger.error('notification failed', { messageId: id, message: error.message });
  }
}

let stopping = false;

/**
 * Reads this consumer's own pending messages first (delivered before a crash, never
 * acknowledged), then new ones, until shutdown. Redis errors are logged and retried.
 */
async function consume() {
  let cursor = '0';
  while (!stopping) {
    try {
      if (!subscribed) {
        await ensureGroup();
        subscribed = true;
      }
      const reply = await reader.xreadgroup(
        'GROUP',
        GROUP,
        consumer,
        'COUNT',
        BATCH_SIZE,
        'BLOCK',
        BLOCK_MS,
        'STREAMS',
        stream,
        cursor,
      );
      const entries = reply?.[0]?.[1] ?? [];
      if (cursor === '0' && entries.length === 0) cursor = '>';
      for (const [id, flat] of entries) {
        await handle(id, flat);
        await redis.xack(stream, GROUP, id);
      }
    } catch (error) {
      if (stopping) break;
      logger.error('consumer', { message: error.message });
      // NOGROUP after a Redis restart or flush: create the group again.
      if (String(error.message).startsWith('NOGROUP')) subscribed = false;
      await sleep(1000);
    }
  }
}

app.get('/stats', (req, res) => {
  res.json({ stream, group: GROUP, consumer, notifications: counters, recent });
});

let consuming = Promise.resolve();
redis.once('ready', () => {
  consuming = consume();
});
startService({
  app,
  config,
  logger,
  onShutdown: async () => {
    stopping = true;
    reader.disconnect(); // ends the blocking read at once
    await consuming;
    await redis.quit();
  },
});
