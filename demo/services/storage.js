// storage: keeps voicemail messages in Redis (a capped, expiring list per mailbox) and publishes a
// `deposited` event the notifier consumes: on a RabbitMQ queue when the launcher found RabbitMQ
// (DEMO_EVENTS=rabbitmq), else on a Redis Stream. Probe messages go to the synthetic key space; the
// event says so too, so the notifier keeps them apart even without the probe.
//   POST /messages                   { number, caller, notify, durationMs, audio, sha256 } → 201 { messageId }
//   GET  /mailboxes/:number/messages  → 200 { number, messages } (newest first, without the audio)
//   DELETE /mailboxes/:number/messages/:id → 200 { deleted } | 404
import { randomBytes } from 'node:crypto';
import { injectMessageContext, objectToStreamFields } from '@hoptrace/instrument';
import { openEventsQueue } from './lib/events-queue.js';
import { EVENTS_MAX_LEN, eventsQueue, eventsStream, isPhoneNumber, keySpace } from './lib/key-space.js';
import { createService, startService } from './lib/service.js';
import { serviceConfig } from './lib/config.js';

const MAX_AUDIO_BASE64_LENGTH = 64 * 1024;

const config = serviceConfig('storage', { env: process.env, argv: process.argv, supportsDropContext: true });
const { app, logger, faults, redis } = createService(config, { usesRedis: true });
const stream = eventsStream(config.keyPrefix);
const queue = eventsQueue(config.keyPrefix);
const events = config.events === 'rabbitmq' ? await openEventsQueue(config.amqpUrl, queue, logger) : undefined;

function newMessageId() {
  return `msg-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * The stream entry of a `deposited` event, with the trace context (and, for a probe, the
 * `hoptrace-probe` field) injected. Under the dropContext fault it plays a buggy producer that
 * loses traceparent, tracestate and baggage, but keeps the probe field.
 */
function depositedEvent(message, synthetic) {
  const fields = injectMessageContext(
    {
      type: 'deposited',
      messageId: message.id,
      number: message.number,
      caller: message.caller,
      notify: message.notify,
      synthetic: synthetic ? '1' : '0',
    },
    { destination: stream },
  );
  if (faults.get().dropContext) {
    delete fields.traceparent;
    delete fields.tracestate;
    delete fields.baggage;
  }
  return objectToStreamFields(fields);
}

/**
 * The `deposited` event on the RabbitMQ queue. Nothing hoptrace here: the drop-in adds the trace
 * context to the message's headers. Under the dropContext fault the app sets empty trace headers
 * of its own (they win over the drop-in's), a producer that loses the context; the probe field
 * the drop-in adds stays, so the notifier's hop tells a lost context from a lost message.
 */
function publishDeposited(message, synthetic) {
  const body = { type: 'deposited', messageId: message.id, number: message.number, caller: message.caller };
  const headers = faults.get().dropContext ? { traceparent: '', tracestate: '', baggage: '' } : {};
  events.channel.sendToQueue(queue, Buffer.from(JSON.stringify({ ...body, notify: message.notify, synthetic })), {
    contentType: 'application/json',
    messageId: message.id,
    headers,
  });
}

app.post('/messages', async (req, res) => {
  const { number, caller, notify, durationMs, audio, sha256 } = req.body ?? {};
  if (!isPhoneNumber(number) || !isPhoneNumber(caller)) {
    res.status(400).json({ error: 'number and caller must be 3 to 15 digits' });
    return;
  }
  if (typeof audio !== 'string' || audio.length > MAX_AUDIO_BASE64_LENGTH) {
    res.status(400).json({ error: `audio must be base64 of at most ${MAX_AUDIO_BASE64_LENGTH} characters` });
    return;
  }
  const space = keySpace(config.keyPrefix, req.hoptraceProbe);
  const message = {
    id: newMessageId(),
    number,
    caller,
    notify: notify === 'push' ? 'push' : 'sms',
    durationMs: Number(durationMs) || 0,
    sha256: typeof sha256 === 'string' ? sha256 : undefined,
    receivedAt: new Date().toISOString(),
    audio,
  };
  const key = space.messages(number);
  // Newest first, capped and expiring: a mailbox never grows without bound.
  await redis
    .multi()
    .lpush(key, JSON.stringify(message))
    .ltrim(key, 0, space.maxMessages - 1)
    .expire(key, space.ttlSeconds)
    .exec();
  if (events) publishDeposited(message, space.synthetic);
  else
    await redis.xadd(stream, 'MAXLEN', '~', String(EVENTS_MAX_LEN), '*', ...depositedEvent(message, space.synthetic));
  res.status(201).json({ messageId: message.id });
});

app.get('/mailboxes/:number/messages', async (req, res) => {
  const { number } = req.params;
  if (!isPhoneNumber(number)) {
    res.status(400).json({ error: 'number must be 3 to 15 digits' });
    return;
  }
  const space = keySpace(config.keyPrefix, req.hoptraceProbe);
  const stored = await redis.lrange(space.messages(number), 0, -1);
  const messages = stored.map((raw) => {
    const { audio, ...rest } = JSON.parse(raw);
    return { ...rest, audioBytes: Buffer.byteLength(audio ?? '', 'base64') };
  });
  res.json({ number, messages });
});

app.delete('/mailboxes/:number/messages/:id', async (req, res) => {
  const { number, id } = req.params;
  if (!isPhoneNumber(number)) {
    res.status(400).json({ error: 'number must be 3 to 15 digits' });
    return;
  }
  const space = keySpace(config.keyPrefix, req.hoptraceProbe);
  const key = space.messages(number);
  const stored = await redis.lrange(key, 0, -1);
  const raw = stored.find((entry) => JSON.parse(entry).id === id);
  if (!raw) {
    res.status(404).json({ error: `no message ${id} in mailbox ${number}` });
    return;
  }
  await redis.lrem(key, 1, raw);
  res.json({ deleted: id });
});

startService({
  app,
  config,
  logger,
  onShutdown: async () => {
    await events?.close();
    await redis.quit();
  },
});
