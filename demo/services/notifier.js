// notifier: tells subscribers they have a new voicemail. Consumes the `deposited` events, from a
// RabbitMQ queue (DEMO_EVENTS=rabbitmq: the instances share the queue) or else from the Redis
// Stream in a consumer group (one consumer per instance), and "sends" an SMS or a push: a log
// line and a counter, no network. A probe's message is never sent to anyone: it is counted as a
// synthetic notification instead.
//   GET /stats   counters (sms, push, synthetic, dropped, failed) and the last notifications
//   GET /notifications/:messageId   the notification sent for a message → 200 | 404 (kept a day, or 30 for real ones)
import { currentProbe, runInMessageContext, streamFieldsToObject } from '@hoptrace/instrument';
import { sleep } from './lib/faults.js';
import { openEventsQueue } from './lib/events-queue.js';
import { eventsQueue, eventsStream, keySpace } from './lib/key-space.js';
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

/** "Sends" the notification of one deposited message, or counts it as synthetic; remembers it per message. */
async function notify(fields) {
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
  if (typeof fields.messageId === 'string' && fields.messageId.length <= 64) {
    const space = keySpace(config.keyPrefix, synthetic ? (probe ?? { synthetic: true }) : undefined);
    await redis.set(space.notification(fields.messageId), JSON.stringify(notification), 'EX', space.ttlSeconds);
  }
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
      await notify(fields);
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

/**
 * The same over RabbitMQ. Plain amqplib: the drop-in makes each delivered message a hop by
 * itself. Acknowledged when handled (also when the notification failed: a retry would notify
 * twice); a dropped message is refused (nack), so the hop says the notifier refused it.
 */
async function consumeQueue(queue) {
  const events = await openEventsQueue(config.amqpUrl, queue, logger);
  await events.channel.prefetch(BATCH_SIZE);
  await events.channel.consume(queue, async (msg) => {
    if (!msg) return;
    const decision = faults.decide();
    if (decision.drop) {
      counters.dropped++;
      events.channel.nack(msg, false, false);
      return;
    }
    try {
      const event = JSON.parse(msg.content.toString('utf8'));
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.fail) throw new Error('injected fault (errorRate)');
      await notify({ ...event, synthetic: event.synthetic ? '1' : '0' });
    } catch (error) {
      // Refused, not requeued: the hop records the failure; a retry would notify twice.
      counters.failed++;
      logger.error('notification failed', { messageId: msg.properties.messageId, message: error.message });
      events.channel.nack(msg, false, false);
      return;
    }
    events.channel.ack(msg);
  });
  subscribed = true;
  return events;
}

app.get('/notifications/:messageId', async (req, res) => {
  const space = keySpace(config.keyPrefix, req.hoptraceProbe);
  const sent = await redis.get(space.notification(req.params.messageId));
  if (!sent) {
    res.status(404).json({ error: `no notification for message ${req.params.messageId} (yet)` });
    return;
  }
  res.json(JSON.parse(sent));
});

app.get('/stats', (req, res) => {
  const source = config.events === 'rabbitmq' ? { queue: eventsQueue(config.keyPrefix) } : { stream, group: GROUP };
  res.json({ ...source, consumer, notifications: counters, recent });
});

let consuming = Promise.resolve();
let queueEvents;
if (config.events === 'rabbitmq') {
  queueEvents = await consumeQueue(eventsQueue(config.keyPrefix));
} else {
  redis.once('ready', () => {
    consuming = consume();
  });
}
startService({
  app,
  config,
  logger,
  onShutdown: async () => {
    stopping = true;
    reader.disconnect(); // ends the blocking read at once
    await consuming;
    await queueEvents?.close();
    await redis.quit();
  },
});
