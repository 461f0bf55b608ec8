// Where the platform keeps its data in Redis. Probe traffic gets a key space of its own under
// `<prefix>synthetic:`, so a probe never reads or writes a real subscriber's profile, greeting
// or messages, and synthetic data expires quickly.

const DAY_S = 86_400;

/**
 * The keys for one request: the real space for ordinary traffic, the synthetic space when
 * `probe` is set (a verified probe from `currentProbe()` or `req.hoptraceProbe`).
 */
export function keySpace(prefix, probe) {
  const synthetic = Boolean(probe);
  const base = synthetic ? `${prefix}synthetic:` : prefix;
  return {
    synthetic,
    /** HASH: name, pin, greeting, notify (sms | push). */
    subscriber: (number) => `${base}subscriber:${number}`,
    /** LIST of message JSON, newest first, capped at `maxMessages`. */
    messages: (number) => `${base}mailbox:${number}:messages`,
    /** SET of message ids the subscriber has listened to. */
    listened: (number) => `${base}mailbox:${number}:listened`,
    /** STRING: the notification sent for a message (JSON), kept `ttlSeconds`. */
    notification: (messageId) => `${base}notification:${messageId}`,
    /** How long a mailbox is kept after its last write. */
    ttlSeconds: synthetic ? DAY_S : 30 * DAY_S,
    /** Messages kept per mailbox (older ones are trimmed). */
    maxMessages: synthetic ? 20 : 100,
  };
}

/** The Redis Stream storage publishes `deposited` events to and the notifier consumes. */
export function eventsStream(prefix) {
  return `${prefix}events`;
}

/** The RabbitMQ queue storage publishes `deposited` events to, when the events go through RabbitMQ. */
export function eventsQueue(prefix) {
  return `${prefix}deposited`;
}

/** Approximate cap of the events stream (XADD MAXLEN ~), and the cap of the events queue. */
export const EVENTS_MAX_LEN = 10_000;

/** A phone number as the platform accepts it: 3 to 15 digits. */
export function isPhoneNumber(value) {
  return typeof value === 'string' && /^\d{3,15}$/.test(value);
}
